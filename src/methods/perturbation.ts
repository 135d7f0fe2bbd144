import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { autoBatchSize } from "./batching";
import { Work } from "../core/work";
import { Context } from "./explain";
import { scores } from "./gradients";
import { superpixels, SuperpixelOptions } from "./superpixels";

/** Options shared by the perturbation methods (featureAblation, kernelShap, lime). */
export interface PerturbationOptions {
  /**
   * Integer group ids: shaped like one example, like its leading axes ([H, W] for an HWC image: all channels
   * of a pixel together), or either with a batch axis. Default: SLIC superpixels for images (rank-3 examples), one group per element otherwise.
   */
  featureMask?: tf.Tensor;
  /** Options for the default superpixels. */
  superpixels?: SuperpixelOptions;
  /** Value of a removed feature: a number or a tensor shaped like one example or the input (default 0). */
  baseline?: number | tf.Tensor;
  /** Perturbed inputs per forward pass (default: sized to fit memory). */
  batchSize?: number;
}

/** Each element's group (0..count−1 after renumbering) for one example. */
export interface Groups {
  of: Int32Array;
  count: number;
}

/** Resolves the feature mask to per-example groups (ids renumbered densely in order of first appearance). */
export async function featureGroups(x: tf.Tensor, options: PerturbationOptions): Promise<Groups[]> {
  const item = x.shape.slice(1);
  const n = x.shape[0];
  const size = item.reduce((a, b) => a * b, 1);
  let mask = options.featureMask;
  let owned = false;
  if (mask === undefined) {
    if (item.length !== 3)
      return new Array(n).fill(0).map(() => ({ of: Int32Array.from({ length: size }, (_, i) => i), count: size }));
    mask = await superpixels(x, options.superpixels);
    owned = true;
  }
  if (!(mask instanceof tf.Tensor)) fail("featureMask must be an integer tf.Tensor of group ids (e.g. from dv.superpixels).");
  try {
    if (mask.dtype !== "int32")
      fail(`featureMask must be int32 group ids; got ${mask.dtype}. Use tf.tensor(ids, shape, "int32").`);
    const perExample = toExamples(mask, item, n);
    return perExample.map(renumber);
  } finally {
    if (owned) mask.dispose();
  }
}

function toExamples(mask: tf.Tensor, item: number[], n: number): Int32Array[] {
  const fits = (shape: number[]) => shape.length <= item.length && shape.every((d, i) => d === item[i] || d === 1);
  const expand = (m: tf.Tensor, batchAxis: boolean) => {
    const shape = m.shape.slice(batchAxis ? 1 : 0);
    const full = [...shape, ...new Array(item.length - shape.length).fill(1)];
    return tf.tidy(() =>
      tf.broadcastTo(tf.reshape(m, [batchAxis ? m.shape[0] : 1, ...full]), [batchAxis ? m.shape[0] : 1, ...item]),
    );
  };
  let b: tf.Tensor;
  if (fits(mask.shape)) b = expand(mask, false);
  else if (mask.shape[0] === n && fits(mask.shape.slice(1))) b = expand(mask, true);
  else
    return fail(
      `featureMask has shape [${mask.shape.join(", ")}]; expected one example's shape [${item.join(", ")}] (or its leading axes, e.g. [${item.slice(0, -1).join(", ")}]), optionally with a batch axis of ${n}.`,
    );
  const data = b.dataSync() as Int32Array;
  const size = item.reduce((a, c) => a * c, 1);
  b.dispose();
  return Array.from({ length: n }, (_, e) =>
    data.slice(b.shape[0] === 1 ? 0 : e * size, (b.shape[0] === 1 ? 0 : e * size) + size),
  );
}

function renumber(ids: Int32Array): Groups {
  const map = new Map<number, number>();
  const of = new Int32Array(ids.length);
  ids.forEach((id, i) => {
    let g = map.get(id);
    if (g === undefined) {
      g = map.size;
      map.set(id, g);
    }
    of[i] = g;
  });
  return { of, count: map.size };
}

/**
 * Scores of coalitions for one example: coalition r keeps group g when rows[r][g] = 1 and puts the
 * baseline there otherwise. Forward passes in chunks, yielding between them.
 */
export async function coalitionScores(
  ctx: Context,
  e: number,
  xe: tf.Tensor,
  be: tf.Tensor,
  groups: Groups,
  coalitions: Uint8Array[],
  batchSize: number | undefined,
  work: Work,
): Promise<Float64Array> {
  const item = xe.shape.slice(1);
  const size = groups.of.length;
  const chunk = batchSize ?? autoBatchSize(ctx.model, coalitions.length, 64 * 2 ** 20);
  const out = new Float64Array(coalitions.length);
  for (let start = 0; start < coalitions.length; start += chunk) {
    const end = Math.min(coalitions.length, start + chunk);
    const masks = new Float32Array((end - start) * size);
    for (let r = start; r < end; r++) {
      const keep = coalitions[r];
      const base = (r - start) * size;
      for (let i = 0; i < size; i++) masks[base + i] = keep[groups.of[i]];
    }
    const s = tf.tidy(() => {
      const m = tf.tensor(masks, [end - start, ...item]);
      const inputs = tf.add(be, tf.mul(m, tf.sub(xe, be)));
      return scores(ctx.model, inputs, ctx.target.score, ctx.rowsFor(e, end - start)).dataSync();
    });
    out.set(s, start);
    await work.step(end - start);
  }
  return out;
}

/** Per-group values spread to every element of the group, as a [1, ...item] tensor. */
export function spread(values: ArrayLike<number>, groups: Groups, item: number[]): tf.Tensor {
  return tf.tensor(
    Float32Array.from(groups.of, (g) => values[g]),
    [1, ...item],
  );
}
