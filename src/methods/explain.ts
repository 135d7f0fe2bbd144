import * as tf from "@tensorflow/tfjs";
import { Attribution, Target } from "../attribution";
import { backend } from "../backend";
import { assertLayersModel, batchInput } from "../model/validate";
import { resolveTarget, ResolvedTarget } from "../targets";

export interface TargetOptions {
  /** Class index (or one per batch item), "predicted" (default), or a function of the output. */
  target?: Target;
}

export interface Context {
  model: tf.LayersModel;
  /** The input with a batch axis. */
  x: tf.Tensor;
  target: ResolvedTarget;
  /** Row r of a one-example batch explains example `example` (for methods looping over examples). */
  rowsFor(example: number, count: number): number[];
  /** Identity rows for the whole batch. */
  allRows: number[];
}

/**
 * The shared frame of every attribution method: validate, choose the backend, add a batch axis,
 * resolve the target once, compute inside a tidy scope, and wrap the batched result as an Attribution
 * shaped like the user's input.
 */
export async function explain(
  method: string,
  model: unknown,
  input: unknown,
  options: TargetOptions,
  compute: (ctx: Context) => { values: tf.Tensor; info?: Record<string, unknown> },
  { keepBatchShape = false, targeted = true }: { keepBatchShape?: boolean; targeted?: boolean } = {},
): Promise<Attribution> {
  assertLayersModel(model);
  await backend();
  let out!: { values: tf.Tensor; info: Record<string, unknown>; inputCopy: tf.Tensor; classes: number[] | null; batched: boolean };
  tf.tidy(() => {
    const { x, batched } = batchInput(model, input);
    // methods that explain no class (a layer's activation) get a target that nothing may read
    const target = targeted ? resolveTarget(model, x, options.target) : untargeted(method);
    const allRows = Array.from({ length: x.shape[0] }, (_, i) => i);
    const ctx: Context = { model, x, target, allRows, rowsFor: (e, n) => new Array(n).fill(e) };
    const result = compute(ctx);
    const values = batched || keepBatchShape ? result.values : tf.squeeze(result.values, [0]);
    out = { values: tf.keep(values), info: result.info ?? {}, inputCopy: tf.keep(tf.clone(input as tf.Tensor)), classes: target.classes, batched };
  });
  return new Attribution(out.values, method, out.inputCopy, out.classes, out.batched, out.info);
}

function untargeted(method: string): ResolvedTarget {
  return { classes: null, score: () => { throw new Error(`internal: ${method} explains no class but asked for a score`); } };
}
