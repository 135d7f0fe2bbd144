import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution, Target } from "../attribution";
import { backend } from "../backend";
import { RunOptions, Work } from "../core/work";
import { assertModel, batchInput, optionsObject } from "../model/validate";
import { resolveTarget, ResolvedTarget } from "../targets";
import { freeFailedTape } from "./gradients";

export interface TargetOptions extends RunOptions {
  /** Class index (or one per batch item), "predicted" (default), or a function of the output. */
  target?: Target;
}

export interface Context {
  model: Model;
  /** The input with a batch axis (owned by the frame). */
  x: tf.Tensor;
  target: ResolvedTarget;
  /** Row r of a one-example batch explains example `example` (for methods looping over examples). */
  rowsFor(example: number, count: number): number[];
  /** Identity rows for the whole batch. */
  allRows: number[];
  /** Progress, abort and the tensors kept between chunks (see src/core/work.ts). */
  work: Work;
}

/** What a method computes: batched values (leading batch axis) and facts for `info`. */
export interface Computed {
  values: tf.Tensor;
  info?: Record<string, unknown>;
}

export interface FrameOptions {
  /** Keep the batch axis even for one example. */
  keepBatchShape?: boolean;
  /** false for methods that explain no class (a layer's activation): no target is resolved or recorded. */
  targeted?: boolean;
}

type Compute<R> = (ctx: Context) => R | Promise<R>;

/**
 * The frame every method runs in: validate the model and input, choose the backend, add a batch axis,
 * resolve the target once, compute, and wrap the batched result as an Attribution shaped like the
 * user's input. Tensors never outlive the frame unless returned.
 *
 * A synchronous `compute` (one forward/backward pass) runs inside one tf.tidy. An `async` compute (long
 * work) runs in chunks through `ctx.work` — `for await (const [start, end] of ctx.work.chunks(n, size))`
 * with each chunk in `ctx.work.tidy(...)` — and yields between them; whatever it keeps lives in
 * `ctx.work`, which frees it when the frame ends, aborted or not. It must make its tensors inside
 * `ctx.work.tidy` (anything else would leak: the registry test checks every method).
 */
export async function explain(
  method: string,
  model: unknown,
  input: unknown,
  options: TargetOptions,
  compute: Compute<Computed>,
  frame: FrameOptions = {},
): Promise<Attribution> {
  const one: Compute<Computed[]> = isAsync(compute) ? async (ctx) => [await compute(ctx)] : (ctx) => [compute(ctx) as Computed];
  return (await explainEach(method, model, input, options, one, frame))[0];
}

/** explain() for methods that give several attributions at once (one per layer): one Attribution each. */
export async function explainEach(
  method: string,
  model: unknown,
  input: unknown,
  options: TargetOptions,
  compute: Compute<Computed[]>,
  frame: FrameOptions = {},
): Promise<Attribution[]> {
  // the computed values belong to the frame's work, which frees them: the Attribution gets a copy
  return inFrame(method, model, input, options, frame, compute, (results, { batched, classes }) =>
    results.map((r) => {
      const values = tf.tidy(() => (batched || frame.keepBatchShape ? tf.clone(r.values) : tf.squeeze(r.values, [0])));
      return new Attribution(values, method, tf.clone(input as tf.Tensor), classes, batched, r.info ?? {});
    }),
  );
}

/**
 * The same frame for functions whose result is not an Attribution (a sanity check): `compute`'s
 * result is returned as it is and must own no tensor of the frame.
 */
export async function inFrame<R, Out = R>(
  method: string,
  model: unknown,
  input: unknown,
  options: TargetOptions,
  frame: FrameOptions,
  compute: Compute<R>,
  finish: (result: R, f: { batched: boolean; classes: number[] | null }) => Out = (r) => r as unknown as Out,
): Promise<Out> {
  assertModel(model);
  options = optionsObject(options, method);
  await backend();
  const work = new Work(method, options);
  try {
    let batched = false;
    const x = work.tidy(() => {
      const b = batchInput(model, input);
      batched = b.batched;
      return tf.clone(b.x);
    });
    // methods that explain no class (a layer's activation) get a target that nothing may read
    const target = frame.targeted === false ? untargeted(method) : resolveTarget(model, x, options.target);
    const allRows = Array.from({ length: x.shape[0] }, (_, i) => i);
    const ctx: Context = { model, x, target, allRows, rowsFor: (e, n) => new Array(n).fill(e), work };
    const result = await runCompute(compute, ctx);
    const out = finish(result, { batched, classes: target.classes });
    work.end();
    return out;
  } catch (e) {
    freeFailedTape();
    work.end(e);
    throw e;
  }
}

function isAsync(f: (...args: never[]) => unknown): boolean {
  return f.constructor.name === "AsyncFunction";
}

/** A synchronous compute in one tidy whose results the work keeps; an async function as it is. */
async function runCompute<R>(compute: Compute<R>, ctx: Context): Promise<R> {
  if (isAsync(compute)) return compute(ctx);
  const sync = ctx.work.tidy(() => {
    const r = compute(ctx);
    if (r instanceof Promise)
      throw new Error("internal: a compute that returns a promise must be an async function (it runs outside tf.tidy)");
    return { r: r as unknown as tf.TensorContainer };
  });
  return (sync as { r: R }).r;
}

function untargeted(method: string): ResolvedTarget {
  return {
    classes: null,
    score: () => {
      throw new Error(`internal: ${method} explains no class but asked for a score`);
    },
  };
}
