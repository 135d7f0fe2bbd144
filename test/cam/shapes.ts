import * as tf from "@tensorflow/tfjs";

/**
 * Synthetic two-class scenes and a small GAP CNN trained on them inside the test.
 * Class 0: a filled 5×5 square; class 1: a 5×5 plus-shaped cross (one-pixel arms); 1 on a 0 background.
 *
 * The wasm backend has no Conv2DBackpropFilter kernel, and the cpu backend trains a conv net too slowly
 * on a shared machine, so training writes each 3×3 convolution as im2col (pad, nine shifted slices,
 * one matMul), whose gradients wasm has. The trained weights then go into an ordinary LayersModel
 * (Conv2D "same" relu → Conv2D "same" relu → GAP → Dense, one logit per shape) that the methods explain.
 */
export const SIZE = 20;
export const OBJECT = 5;

export function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** Draws a square (0) or a cross (1) with its top-left corner at (r, c). */
export function drawShape(img: Float32Array, shape: number, r: number, c: number): void {
  for (let i = 0; i < OBJECT; i++) {
    for (let j = 0; j < OBJECT; j++) {
      const mid = (OBJECT - 1) / 2;
      if (shape === 0 || i === mid || j === mid) img[(r + i) * SIZE + (c + j)] = 1;
    }
  }
}

/**
 * Multi-label scenes: each shape is present or not, independently (none, one, or both, apart), and the
 * label says which are present. With "both" and "none" in the data, each class's score has to come
 * from evidence of its own shape rather than from the absence of the other.
 */
export function sceneData(n: number, rand: () => number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const xs = new Float32Array(n * SIZE * SIZE);
  const ys = new Float32Array(n * 2);
  const at = () => Math.floor(rand() * (SIZE - OBJECT + 1));
  for (let k = 0; k < n; k++) {
    const img = xs.subarray(k * SIZE * SIZE, (k + 1) * SIZE * SIZE);
    const present = [rand() < 0.5, rand() < 0.5];
    let first: number[] | null = null;
    for (const cls of [0, 1]) {
      if (!present[cls]) continue;
      let r = at(),
        c = at();
      // keep the second shape at least one pixel away from the first
      while (first && Math.abs(r - first[0]) <= OBJECT && Math.abs(c - first[1]) <= OBJECT) {
        r = at();
        c = at();
      }
      drawShape(img, cls, r, c);
      first = [r, c];
      ys[k * 2 + cls] = 1;
    }
  }
  return { xs: tf.tensor4d(xs, [n, SIZE, SIZE, 1]), ys: tf.tensor2d(ys, [n, 2]) };
}

/** A 3×3 "same" convolution as im2col + matMul: [N, H, W, C] · [3, 3, C, F] → [N, H, W, F]. */
function conv3x3(x: tf.Tensor4D, kernel: tf.Variable): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const padded = tf.pad(x, [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
  const taps: tf.Tensor4D[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) taps.push(tf.slice(padded, [0, i, j, 0], [n, h, w, c]));
  // tap order (i, j, c) matches the kernel layout [kh, kw, in, out]
  const patches = tf.reshape(tf.concat(taps, 3), [n * h * w, 9 * c]);
  const out = tf.matMul(patches, tf.reshape(kernel, [9 * c, -1]) as tf.Tensor2D);
  return tf.reshape(out, [n, h, w, -1]);
}

export interface TrainedShapes {
  model: tf.LayersModel;
  accuracy: number;
  seconds: number;
}

export async function trainShapesCnn(seed = 3, filters = 8, steps = 150): Promise<TrainedShapes> {
  const started = Date.now();
  const rand = rng(seed);
  const init = (shape: number[], fanIn: number) =>
    tf.variable(tf.mul(tf.randomNormal(shape, 0, 1, "float32", seed + shape.length + fanIn), Math.sqrt(2 / fanIn)));
  const k1 = init([3, 3, 1, filters], 9);
  const b1 = tf.variable(tf.zeros([filters]));
  const k2 = init([3, 3, filters, filters], 9 * filters);
  const b2 = tf.variable(tf.zeros([filters]));
  const w = init([filters, 2], filters);
  const b = tf.variable(tf.zeros([2]));
  const logits = (x: tf.Tensor4D) => {
    const h1 = tf.relu(tf.add(conv3x3(x, k1), b1)) as tf.Tensor4D;
    const h2 = tf.relu(tf.add(conv3x3(h1, k2), b2));
    return tf.add(tf.matMul(tf.mean(h2, [1, 2]) as tf.Tensor2D, w), b);
  };
  const optimizer = tf.train.adam(0.03);
  for (let step = 0; step < steps; step++) {
    tf.tidy(() => {
      const { xs, ys } = sceneData(32, rand);
      optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(ys, logits(xs)) as tf.Scalar);
    });
  }
  optimizer.dispose();

  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({ inputShape: [SIZE, SIZE, 1], filters, kernelSize: 3, padding: "same", activation: "relu", name: "conv1" }),
  );
  model.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: "same", activation: "relu", name: "conv2" }));
  model.add(tf.layers.globalAveragePooling2d({ name: "gap" }));
  // one logit per shape (trained with a sigmoid each)
  model.add(tf.layers.dense({ units: 2, name: "shape" }));
  model.layers[0].setWeights([k1, b1]);
  model.layers[1].setWeights([k2, b2]);
  model.layers[3].setWeights([w, b]);
  tf.dispose([k1, b1, k2, b2, w, b]);

  // held-out accuracy of the LayersModel itself, per label (also checks the weights went in the right places)
  const accuracy = tf.tidy(() => {
    const { xs, ys } = sceneData(200, rng(seed + 1000));
    const predicted = tf.greater(model.predict(xs) as tf.Tensor, 0);
    return tf.mean(tf.cast(tf.equal(predicted, tf.greater(ys, 0.5)), "float32")).dataSync()[0];
  });
  return { model, accuracy, seconds: (Date.now() - started) / 1000 };
}
