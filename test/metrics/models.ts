import * as tf from "@tensorflow/tfjs";

/**
 * f(x) = Σ_p W[p]·x[p] + B on a 2×2×1 image (pixels in reading order), or its two-class softmax
 * version with logits (f, −f). Deletion and insertion curves of these follow by hand.
 */
export const W = [0.5, -1, 1, 0.25];
export const B = 0.1;
export function linearImageModel(softmax = false): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: [2, 2, 1] }));
  m.add(tf.layers.dense({ units: softmax ? 2 : 1, activation: softmax ? "softmax" : "linear" }));
  const kernel = softmax ? W.flatMap((w) => [w, -w]) : W;
  m.layers[1].setWeights([tf.tensor2d(kernel, [4, softmax ? 2 : 1]), tf.tensor1d(softmax ? [B, -B] : [B])]);
  return m;
}
export const f = (x: number[]) => x.reduce((a, v, i) => a + v * W[i], B);
