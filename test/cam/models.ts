import * as tf from "@tensorflow/tfjs";

/**
 * A tiny GAP model whose CAMs can be derived by hand.
 * 4×4×1 input → Conv2D "conv" (2×2 kernel, stride 2, 2 filters, relu): filter 0 reads the top-left
 * pixel of each 2×2 block, filter 1 the bottom-right pixel minus 1 → A0 = TL, A1 = relu(BR − 1), each
 * 2×2 → GlobalAveragePooling2D "gap" → Dense "out" (W[k][c] = GAP_W, bias [0.5, 0], softmax).
 */
export const GAP_W = [
  [2, -1],
  [1, 3],
];
export function tinyGapModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 2, strides: 2, activation: "relu", name: "conv" }));
  m.add(tf.layers.globalAveragePooling2d({ name: "gap" }));
  m.add(tf.layers.dense({ units: 2, activation: "softmax", name: "out" }));
  // kernel [kh, kw, in, out]: filter 0 = top-left tap, filter 1 = bottom-right tap
  const kernel = [1, 0, 0, 0, 0, 0, 0, 1];
  m.layers[0].setWeights([tf.tensor4d(kernel, [2, 2, 1, 2]), tf.tensor1d([0, -1])]);
  m.layers[2].setWeights([tf.tensor2d(GAP_W), tf.tensor1d([0.5, 0])]);
  return m;
}

/**
 * The image for tinyGapModel: top-left pixels of the blocks TL = [[1, 2], [3, 0]], bottom-right
 * pixels BR = [[2, 0], [1, 3]], the other pixels 5 (no filter reads them).
 * So A0 = [[1, 2], [3, 0]] and A1 = relu(BR − 1) = relu([[1, −1], [0, 2]]) = [[1, 0], [0, 2]].
 */
export const GAP_IMAGE = [1, 5, 2, 5, 5, 2, 5, 0, 3, 5, 0, 5, 5, 1, 5, 3];

/**
 * A conv net with every ReLU fused (activation: "relu" in Conv2D and Dense), or the same weights with
 * separate ReLU layers (tf.layers.reLU, or Activation("relu") layers).
 */
export function reluCnn(style: "fused" | "relu-layers" | "activation-layers", seed = 7): tf.Sequential {
  const m = tf.sequential();
  const relu = (name: string) => {
    if (style === "relu-layers") m.add(tf.layers.reLU({ name }));
    if (style === "activation-layers") m.add(tf.layers.activation({ activation: "relu", name }));
  };
  const act = style === "fused" ? "relu" : "linear";
  m.add(tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, padding: "same", activation: act, name: "conv1" }));
  relu("relu1");
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: "pool" }));
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: 2, activation: act, name: "conv2" }));
  relu("relu2");
  m.add(tf.layers.flatten({ name: "flat" }));
  m.add(tf.layers.dense({ units: 5, activation: act, name: "fc" }));
  relu("relu3");
  m.add(tf.layers.dense({ units: 3, name: "logits" }));
  // the same weights for every style: seeded values in [−1, 1]
  let s = seed;
  const next = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  for (const layer of m.layers) {
    const ws = layer.getWeights();
    if (ws.length) layer.setWeights(ws.map((w) => tf.tensor(Array.from({ length: w.size }, next), w.shape)));
  }
  return m;
}
