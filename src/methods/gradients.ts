import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { forward } from "../model/interpreter";
import { ReluMode } from "../model/relu";

/**
 * Frees what a failed gradient left behind. When the function under tf.grad throws, tfjs ends the tape
 * but keeps the clones it saved for the backward pass that never comes; it frees them only after a
 * backward pass. Do the same (only for an outermost gradient: a nested one still needs its tape).
 */
export function freeFailedTape(): void {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; activeTape: { saved?: tf.Tensor[] }[] | null } })
    .state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}

/** Runs `fn`; when it throws, frees a failed gradient's tape before passing the error on. */
export function freeingTape<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    freeFailedTape();
    throw e;
  }
}

/** A function from the model's output to one score per row. */
export type ScoreFn = (output: tf.Tensor, rows: number[]) => tf.Tensor1D;

/**
 * Gradient of each row's score w.r.t. that row of `x`. Rows are independent, so the gradient of the
 * summed score gives every row's own gradient in one backward pass.
 */
export function inputGradient(model: Model, x: tf.Tensor, score: ScoreFn, rows: number[], relu: ReluMode = "normal"): tf.Tensor {
  return tf.grad((input: tf.Tensor) => tf.sum(score(forward(model, input, { relu }).output, rows)))(x);
}

/** inputGradient and each row's score, from the same forward pass. */
export function scoredInputGradient(
  model: Model,
  x: tf.Tensor,
  score: ScoreFn,
  rows: number[],
): { gradient: tf.Tensor; scores: tf.Tensor1D } {
  const ones = tf.ones([rows.length]) as tf.Tensor1D;
  try {
    // a gradient seeded with ones over the rows is the summed score's: each row gets its own gradient
    const { value, grad } = tf.valueAndGrad((input: tf.Tensor) => score(forward(model, input).output, rows))(x, ones);
    return { gradient: grad, scores: value as tf.Tensor1D };
  } finally {
    ones.dispose();
  }
}

/**
 * Gradients of the score w.r.t. the outputs of `layers`, and those outputs, in one pass: a zero tensor
 * is added to each layer's output and the gradient is taken w.r.t. those zeros.
 */
export function layerGradient(
  model: Model,
  x: tf.Tensor,
  layers: string[],
  score: ScoreFn,
  rows: number[],
  relu: ReluMode = "normal",
): { gradients: tf.Tensor[]; activations: tf.Tensor[] } {
  const shapes = tf.tidy(() => {
    const pass = forward(model, x, { capture: layers });
    return layers.map((l) => pass.activations.get(l)!.shape);
  });
  const zeros = shapes.map((s) => tf.zeros(s));
  let activations: tf.Tensor[] = [];
  const f = (...eps: tf.Tensor[]) => {
    const inject = new Map(layers.map((l, i) => [l, eps[i]] as [string, tf.Tensor]));
    const pass = forward(model, x, { relu, capture: layers, inject });
    // keep the activations past the gradient's own cleanup; the caller disposes them
    activations = layers.map((l) => tf.keep(pass.activations.get(l)!));
    return tf.sum(score(pass.output, rows));
  };
  try {
    return { gradients: tf.grads(f)(zeros), activations };
  } catch (e) {
    tf.dispose(activations); // kept past the tape: only we can free them
    throw e;
  } finally {
    tf.dispose(zeros);
  }
}

/** Forward pass only: one score per row. */
export function scores(model: Model, x: tf.Tensor, score: ScoreFn, rows: number[]): tf.Tensor1D {
  return tf.tidy(() => score(forward(model, x).output, rows));
}
