import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { assertPositiveInt } from "../model/validate";
import { autoBatchSize } from "./batching";
import { explain, TargetOptions } from "./explain";
import { scores } from "./gradients";

export interface OcclusionOptions extends TargetOptions {
  /** Window size per axis of one example; a number means a square over the spatial axes, all channels. */
  window: number | number[];
  /** Step per axis (default: the window, so windows tile without overlap). Must not exceed the window. */
  stride?: number | number[];
  /** Value written into the window (default 0). */
  baseline?: number;
  /** Occluded copies per forward pass (default: sized to fit memory). */
  batchSize?: number;
}

/**
 * Occlusion (Zeiler & Fergus): the drop in the target score when a window is replaced by the baseline,
 * credited to every element of the window; overlapping windows are averaged. Windows start at 0 and
 * step by the stride until one reaches the end (it may be cut short there), so every element is covered.
 */
export async function occlusion(model: Model, input: tf.Tensor, options: OcclusionOptions): Promise<Attribution> {
  return explain("occlusion", model, input, options, async ({ model, x, target, rowsFor, work }) => {
    const itemShape = x.shape.slice(1);
    const window = perAxis(options?.window, itemShape, "window");
    const stride = options.stride === undefined ? window : perAxis(options.stride, itemShape, "stride");
    stride.forEach((s, i) => {
      if (s > window[i])
        fail(`stride ${s} exceeds window ${window[i]} on axis ${i}: elements between windows would never be occluded.`);
    });
    const baseline = options.baseline ?? 0;
    if (!Number.isFinite(baseline)) fail(`baseline must be a finite number; got ${baseline}.`);
    if (options.batchSize !== undefined) assertPositiveInt(options.batchSize, "batchSize");
    const starts = itemShape.map((d, i) => axisStarts(d, window[i], stride[i]));
    const positions = cartesian(starts);
    const batchSize = options.batchSize ?? autoBatchSize(model, positions.length, 64 * 2 ** 20);
    const size = itemShape.reduce((a, b) => a * b, 1);
    const strides = itemShape.map((_, i) => itemShape.slice(i + 1).reduce((a, b) => a * b, 1));

    work.plan(x.shape[0] * positions.length, "windows");
    const perExample: tf.Tensor[] = [];
    for (let e = 0; e < x.shape[0]; e++) {
      const xe = work.tidy(() => tf.slice(x, e, 1));
      const full = tf.tidy(() => scores(model, xe, target.score, rowsFor(e, 1)).dataSync()[0]);
      const total = new Float32Array(size);
      const count = new Float32Array(size);
      for await (const [start, end] of work.chunks(positions.length, batchSize)) {
        const chunk = positions.slice(start, end);
        const masks = new Float32Array(chunk.length * size);
        const windows = chunk.map((pos, r) => {
          const idx = windowIndices(pos, window, itemShape, strides);
          for (const i of idx) masks[r * size + i] = 1;
          return idx;
        });
        const drops = tf.tidy(() => {
          const m = tf.tensor(masks, [chunk.length, ...itemShape]);
          const occluded = tf.add(tf.mul(xe, tf.sub(1, m)), tf.mul(m, baseline));
          return scores(model, occluded, target.score, rowsFor(e, chunk.length)).dataSync();
        });
        windows.forEach((idx, r) => {
          const drop = full - drops[r];
          for (const i of idx) {
            total[i] += drop;
            count[i] += 1;
          }
        });
      }
      for (let i = 0; i < size; i++) total[i] /= count[i];
      work.free(xe);
      perExample.push(work.tidy(() => tf.tensor(total, [1, ...itemShape])));
    }
    return { values: work.tidy(() => tf.concat(perExample)), info: { window, stride, baseline, windows: positions.length } };
  });
}

function perAxis(value: number | number[] | undefined, itemShape: number[], name: string): number[] {
  if (value === undefined) return fail(`occlusion needs a ${name}, e.g. { window: 8 } or { window: [8, 8, 3] }.`);
  const rank = itemShape.length;
  let v: number[];
  if (typeof value === "number") {
    // a square over the spatial axes; channels (the last axis of an image) are occluded together
    v = rank >= 3 ? [...new Array(rank - 1).fill(value), itemShape[rank - 1]] : new Array(rank).fill(value);
  } else if (value.length === rank) v = value;
  else if (rank >= 3 && value.length === rank - 1) v = [...value, itemShape[rank - 1]];
  else return fail(`${name} [${value.join(", ")}] must give one size per axis of an example [${itemShape.join(", ")}].`);
  v.forEach((s, i) => {
    if (!Number.isInteger(s) || s <= 0) fail(`${name} sizes must be positive integers; got ${s} on axis ${i}.`);
  });
  return v.map((s, i) => Math.min(s, itemShape[i]));
}

function axisStarts(dim: number, window: number, stride: number): number[] {
  const starts = [0];
  while (starts[starts.length - 1] + window < dim) starts.push(starts[starts.length - 1] + stride);
  return starts;
}

function cartesian(lists: number[][]): number[][] {
  return lists.reduce<number[][]>((acc, list) => acc.flatMap((p) => list.map((v) => [...p, v])), [[]]);
}

/** Flat indices of the window at `pos`, clipped to the example's bounds. */
function windowIndices(pos: number[], window: number[], shape: number[], strides: number[]): number[] {
  let idx = [0];
  pos.forEach((p, axis) => {
    const end = Math.min(shape[axis], p + window[axis]);
    const next: number[] = [];
    for (const base of idx) for (let i = p; i < end; i++) next.push(base + i * strides[axis]);
    idx = next;
  });
  return idx;
}
