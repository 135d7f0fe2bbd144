import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../attribution";
import { fail } from "../errors";

/** What a metric scores: an Attribution from any method, or a raw tensor of attribution values. */
export type MapLike = Attribution | tf.Tensor;

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

/**
 * The grid a metric ranks: the pixels of an image (its spatial axes, channels summed) or every element
 * of a non-image input. `item` is one example's input shape.
 */
export function featureShape(item: number[]): number[] {
  return item.length >= 3 ? item.slice(0, -1) : item;
}

/**
 * The attribution as one value per feature and example, [B][N] in JS: channels are summed (as
 * Petsiuk et al. rank pixels). Accepts the input's shape or the feature grid's, each with or without
 * the batch axis; anything else is a DeepVizError naming the shapes that fit.
 */
export function featureValues(map: MapLike, batch: number, item: number[]): Float32Array[] {
  const values = map instanceof Attribution ? map.values : map;
  if (!(values instanceof tf.Tensor)) fail("the attribution must be a dv.Attribution or a tf.Tensor of attribution values.");
  if (values.isDisposed) fail("the attribution was already disposed; score it before disposing it.");
  const grid = featureShape(item);
  const n = grid.reduce((a, d) => a * d, 1);
  const s = values.shape.join(",");
  const fits = (shape: number[]) => shape.join(",") === s;
  const full = fits([batch, ...item]) || (batch === 1 && fits(item));
  const summed = fits([batch, ...grid]) || (batch === 1 && fits(grid));
  if (!full && !summed) {
    const expected = [fmt([batch, ...item]), fmt([batch, ...grid])];
    if (batch === 1) expected.push(fmt(item), fmt(grid));
    fail(
      `the attribution has shape ${fmt(values.shape)} but the input is ${batch} example(s) of shape ${fmt(item)}; ` +
        `expected ${expected.join(" or ")}. A layer-sized CAM needs upsample: "bilinear" (the default).`,
    );
  }
  const data = tf.tidy(() => {
    const v = tf.reshape(values, full && item.length >= 3 ? [batch, n, item[item.length - 1]] : [batch, n]);
    return (v.rank === 3 ? tf.sum(v, 2) : v).dataSync() as Float32Array;
  });
  return Array.from({ length: batch }, (_, b) => data.slice(b * n, (b + 1) * n));
}

/** Positions 0..n−1 ordered by value, highest first (ties: lower index first, so results are reproducible). */
export function rankDescending(values: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => values[b] - values[a] || a - b);
  return order;
}

/** rank[p] = where feature p stands in the order (0 = most relevant). */
export function ranksOf(order: Int32Array): Float32Array {
  const rank = new Float32Array(order.length);
  order.forEach((p, i) => (rank[p] = i));
  return rank;
}
