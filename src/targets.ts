import * as tf from "@tensorflow/tfjs";
import { Model } from "./model/kind";
import { DeepVizError, fail } from "./errors";
import { Target } from "./attribution";
import { forward, scoreShape } from "./model/interpreter";

/**
 * A target resolved against one input batch: which score to explain for each example. Methods that
 * run many rows per example (integrated gradients, SmoothGrad, occlusion) pass `rows`, the example
 * index of each row, so 'predicted' keeps meaning the prediction for the original input.
 */
export interface ResolvedTarget {
  /** Class index per example, or null for a function target. */
  classes: number[] | null;
  /** One score per row of `output`. */
  score(output: tf.Tensor, rows: number[]): tf.Tensor1D;
}

/** Number of scores per example: the output's size after the batch axis. */
export function outputSize(model: Model): number {
  return scoreShape(model)
    .slice(1)
    .reduce<number>((a, d) => a * (d ?? 1), 1);
}

export function resolveTarget(model: Model, x: tf.Tensor, target: Target = "predicted"): ResolvedTarget {
  const batch = x.shape[0];
  if (typeof target === "function") return functionTarget(target);
  const k = outputSize(model);
  let classes: number[];
  if (target === "predicted") {
    classes = tf.tidy(() => {
      const out = tf.reshape(forward(model, x).output, [batch, -1]);
      return k === 1 ? new Array(batch).fill(0) : Array.from(tf.argMax(out, 1).dataSync());
    });
  } else if (typeof target === "number") {
    classes = new Array(batch).fill(target);
  } else if (Array.isArray(target)) {
    if (target.length !== batch)
      fail(
        `target has ${target.length} class indices but the batch has ${batch} examples; give one per example or a single number.`,
      );
    classes = target.slice();
  } else {
    return fail(
      `target must be a class index, an array of them, "predicted", or a function of the output; got ${JSON.stringify(target)}.`,
    );
  }
  for (const c of classes) {
    if (typeof c !== "number" || !Number.isInteger(c))
      fail(
        `target must be an integer class index; got ${JSON.stringify(c) ?? String(c)}${typeof c === "number" ? ` (${c})` : ""}.`,
      );
    if (c < 0 || c >= k) fail(`target class ${c} is out of range: the model has ${k} output${k === 1 ? "" : "s"} (0..${k - 1}).`);
  }
  return {
    classes,
    score: (output, rows) =>
      maskedScore(
        output,
        rows.map((r) => classes[r]),
        k,
      ),
  };
}

/** Sum of output × one-hot mask per row: no gather, so the gradient needs no scatter kernel. */
function maskedScore(output: tf.Tensor, classes: number[], k: number): tf.Tensor1D {
  const rows = classes.length;
  const mask = new Float32Array(rows * k);
  classes.forEach((c, r) => (mask[r * k + c] = 1));
  return tf.sum(tf.mul(tf.reshape(output, [rows, k]), tf.tensor2d(mask, [rows, k])), 1) as tf.Tensor1D;
}

function functionTarget(fn: (output: tf.Tensor) => tf.Tensor): ResolvedTarget {
  return {
    classes: null,
    score: (output, rows) => {
      let s: unknown;
      try {
        s = fn(output);
      } catch (e) {
        if (e instanceof DeepVizError) throw e;
        fail(
          `the target function threw ${(e as Error)?.name ?? "an error"}: ${(e as Error)?.message ?? String(e)}. It gets the model's output batch and must return one score per batch item.`,
        );
      }
      if (!(s instanceof tf.Tensor)) fail("a target function must return a tf.Tensor with one score per batch item.");
      if (s.size !== rows.length)
        fail(
          `a target function must return one score per batch item (${rows.length}); it returned shape [${s.shape.join(", ")}].`,
        );
      return tf.reshape(s, [rows.length]) as tf.Tensor1D;
    },
  };
}

/** The cross-entropy loss of the target class, from logits (for "gradient of the loss"). */
export function lossOf(target: ResolvedTarget, k: number) {
  if (!target.classes) fail('the loss needs class targets; a function target defines a score, not a loss. Use of: "score".');
  const classes = target.classes;
  return (output: tf.Tensor, rows: number[]): tf.Tensor1D => {
    const logits = tf.reshape(output, [rows.length, k]);
    const logp = tf.logSoftmax(logits);
    const mask = new Float32Array(rows.length * k);
    rows.forEach((r, i) => (mask[i * k + classes[r]] = 1));
    return tf.neg(tf.sum(tf.mul(logp, tf.tensor2d(mask, [rows.length, k])), 1)) as tf.Tensor1D;
  };
}
