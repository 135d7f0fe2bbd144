import * as tf from "@tensorflow/tfjs";

/** Tiny models with hand-set weights, so attributions can be derived by hand in the tests. */

/** Dense 4 → 3, no activation: score_c = Σ_i W[i][c] x_i + b_c. */
export const LINEAR_W = [
  [1, -2, 0.5],
  [0, 3, -1],
  [2, 1, 1],
  [-1, 0, 4],
];
export const LINEAR_B = [0.5, -1, 2];

export function linearModel(activation: "linear" | "softmax" = "linear"): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [4], units: 3, activation, name: "out" }));
  m.layers[0].setWeights([tf.tensor2d(LINEAR_W), tf.tensor1d(LINEAR_B)]);
  return m;
}

/**
 * x(2) → Dense(2, relu) "hidden" → Dense(1) "out".
 * hidden = relu(x·H + c), out = hidden·V + d.
 */
export const H = [
  [1, -1],
  [2, 1],
];
export const C = [0, 0];
export const V = [[3], [-2]];
export function reluModel(separate = false): tf.Sequential {
  const m = tf.sequential();
  if (separate) {
    m.add(tf.layers.dense({ inputShape: [2], units: 2, name: "hidden_pre" }));
    m.add(tf.layers.reLU({ name: "hidden" }));
  } else {
    m.add(tf.layers.dense({ inputShape: [2], units: 2, activation: "relu", name: "hidden" }));
  }
  m.add(tf.layers.dense({ units: 1, name: "out" }));
  m.layers[0].setWeights([tf.tensor2d(H), tf.tensor1d(C)]);
  m.layers[m.layers.length - 1].setWeights([tf.tensor2d(V), tf.tensor1d([0.25])]);
  return m;
}

/**
 * 3×3×1 image → Conv2D(1 filter, 2×2, valid, kernel K, bias 0) "conv" → Flatten → Dense(1, weights
 * Vc per output position in row-major order) "out". score = Σ_p Vc[p] Σ_{k} K[k] x[p + k].
 */
export const K = [
  [1, 2],
  [-1, 0.5],
];
export const VC = [1, -1, 2, 0.5];
export function convModel(activation: "linear" | "relu" = "linear"): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [3, 3, 1], filters: 1, kernelSize: 2, activation, name: "conv" }));
  m.add(tf.layers.flatten({ name: "flat" }));
  m.add(tf.layers.dense({ units: 1, name: "out" }));
  m.layers[0].setWeights([tf.tensor4d(K.flat(), [2, 2, 1, 1]), tf.tensor1d([0])]);
  m.layers[2].setWeights([tf.tensor2d(VC, [4, 1]), tf.tensor1d([0])]);
  return m;
}

/** 4×4×1 → MaxPool 2×2 "pool" → Flatten → Dense(1) with weights [1, 2, 3, 4]. */
export function poolModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.maxPooling2d({ inputShape: [4, 4, 1], poolSize: 2, name: "pool" }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 1, name: "out" }));
  m.layers[2].setWeights([tf.tensor2d([1, 2, 3, 4], [4, 1]), tf.tensor1d([0])]);
  return m;
}

/** A small random CNN with fused relus, pooling, GAP and a softmax head, for shape and leak checks. */
export function smallCnn(seed = 1): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed + s });
  const input = tf.input({ shape: [8, 8, 3] });
  let h = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init(1), name: "conv1" })
    .apply(input) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2, name: "pool1" }).apply(h) as tf.SymbolicTensor;
  h = tf.layers
    .conv2d({ filters: 6, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init(2), name: "conv2" })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 3, activation: "softmax", kernelInitializer: init(3), name: "probs" })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

export function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4, what = ""): void {
  const a = Array.from(actual);
  const e = Array.from(expected);
  if (a.length !== e.length) throw new Error(`${what} length ${a.length} ≠ ${e.length}`);
  a.forEach((v, i) => {
    if (!(Math.abs(v - e[i]) <= tol * Math.max(1, Math.abs(e[i])))) {
      throw new Error(`${what}[${i}]: got ${v}, expected ${e[i]} (all: ${a.map((x) => x.toFixed(5)).join(", ")})`);
    }
  });
}
