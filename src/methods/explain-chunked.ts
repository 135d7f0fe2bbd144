import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../attribution";
import { backend } from "../backend";
import { fail } from "../errors";
import { assertLayersModel, batchInput } from "../model/validate";
import { resolveTarget } from "../targets";
import { Context, TargetOptions } from "./explain";

/** What chunked methods report: rows (forward or backward passes of one row) done of those planned. */
export interface MethodProgress { method: string; done: number; total: number }

export interface ChunkOptions {
  onProgress?: (p: MethodProgress) => void;
  /** Aborting stops the method before its next chunk; it rejects with a DeepVizError and leaves no tensor behind. */
  signal?: AbortSignal;
}

/** Runs chunks of work, yielding to the event loop between them so progress shows and an abort gets through. */
export class ChunkRunner {
  done = 0;
  constructor(readonly method: string, readonly total: number, private readonly options: ChunkOptions) {}

  async step(rows: number): Promise<void> {
    this.done += rows;
    this.options.onProgress?.({ method: this.method, done: this.done, total: this.total });
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.check();
  }

  check(): void {
    if (this.options.signal?.aborted) fail(`${this.method} was stopped (its AbortSignal was aborted) after ${this.done} of ${this.total} rows.`);
  }
}

/**
 * explain()'s frame for methods that compute in chunks and yield between them: validate, backend, batch
 * axis, target, then `compute` (which owns its chunks' tf.tidy scopes and returns a batched tensor).
 */
export async function explainChunked(
  method: string, model: unknown, input: unknown, options: TargetOptions & ChunkOptions,
  compute: (ctx: Context, runner: (total: number) => ChunkRunner) => Promise<{ values: tf.Tensor; info?: Record<string, unknown> }>,
): Promise<Attribution> {
  assertLayersModel(model);
  await backend();
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) fail("signal must be an AbortSignal (from new AbortController().signal).");
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") fail("onProgress must be a function.");
  const { x, batched } = batchInput(model, input);
  try {
    const target = resolveTarget(model, x, options.target);
    const allRows = Array.from({ length: x.shape[0] }, (_, i) => i);
    const ctx: Context = { model, x, target, allRows, rowsFor: (e, n) => new Array(n).fill(e) };
    const runner = (total: number) => { const r = new ChunkRunner(method, total, options); r.check(); return r; };
    const result = await compute(ctx, runner);
    const values = batched ? result.values : tf.tidy(() => tf.squeeze(result.values, [0]));
    if (!batched) result.values.dispose();
    return new Attribution(values, method, tf.clone(input as tf.Tensor), target.classes, batched, result.info ?? {});
  } finally {
    if (!batched) x.dispose();
  }
}
