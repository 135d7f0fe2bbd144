import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { ImageData3, Map2D, RGBA } from "./types";

/** What the renderers accept where they need numbers: a tensor or plain arrays. */
export type ImageLike = tf.Tensor | ImageData3 | RGBA;
export type MapLike = tf.Tensor | Map2D | ImageData3;

function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

/** A tensor's numbers and shape, read once (no tensors are created, so nothing can leak). */
export function readTensor(t: tf.Tensor): { shape: number[]; data: Float32Array } {
  if (t.isDisposed) fail("This tensor was already disposed; render it before disposing it.");
  const data = t.dataSync();
  return { shape: t.shape.slice(), data: data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>) };
}

/**
 * H×W×C numbers of one item: rank 2 (H, W) is one channel; rank 3 is HWC; rank 4 must hold one item
 * (use `items` for batches).
 */
export function toHWC(x: MapLike | ImageLike, what = "values"): ImageData3 {
  if (x === null || typeof x !== "object") {
    fail(`The ${what} must be a tf.Tensor, an Attribution or {height, width, data}; got ${x === null ? "null" : typeof x}.`);
  }
  if (!isTensor(x)) {
    const plain = x as { height?: unknown; width?: unknown; channels?: unknown; data?: { length?: unknown } };
    const channels = "channels" in plain ? plain.channels : plain.data instanceof Uint8ClampedArray ? 4 : 1;
    const sizes = [plain.height, plain.width, channels];
    if (
      !sizes.every((d) => Number.isInteger(d) && (d as number) > 0) ||
      !plain.data ||
      plain.data.length !== (sizes as number[]).reduce((a, b) => a * b, 1)
    ) {
      fail(
        `The ${what} must be a tf.Tensor or {height, width, data} with height × width${channels === 1 ? "" : " × channels"} numbers; got ${JSON.stringify(sizes)} and ${plain.data?.length ?? "no"} numbers.`,
      );
    }
    if ("channels" in x) return x;
    if (x.data instanceof Uint8ClampedArray) {
      const rgba = x as RGBA;
      return { height: rgba.height, width: rgba.width, channels: 4, data: Float32Array.from(rgba.data, (v) => v / 255) };
    }
    const m = x as Map2D;
    return { height: m.height, width: m.width, channels: 1, data: m.data };
  }
  const { shape, data } = readTensor(x);
  if (shape.length === 4 && shape[0] === 1) shape.shift();
  if (shape.length === 2) return { height: shape[0], width: shape[1], channels: 1, data };
  if (shape.length === 3) return { height: shape[0], width: shape[1], channels: shape[2], data };
  return fail(
    `The ${what} have shape [${shape.join(", ")}]; expected [height, width], [height, width, channels] ` +
      `or a batch of one [1, height, width, channels]. Pick one item of a batch with tensor.slice or dv.show(…, { index }).`,
  );
}

/** Items of a batch [N, H, W, C] (or one item of rank 2 or 3) as H×W×C arrays. */
export function items(x: tf.Tensor, what = "values"): ImageData3[] {
  if (x.rank !== 4) return [toHWC(x, what)];
  const { shape, data } = readTensor(x);
  const [n, h, w, c] = shape;
  const size = h * w * c;
  return Array.from({ length: n }, (_, i) => ({
    height: h,
    width: w,
    channels: c,
    data: data.subarray(i * size, (i + 1) * size),
  }));
}

/**
 * An image for display: channels 1, 3 or 4; values in [0, 1]. An image whose largest value is above 1.5
 * is taken as 0–255 and divided by 255; one with negative values (a preprocessed input, e.g. [−1, 1])
 * is stretched from its min–max to [0, 1]; small overshoots past 1 are clipped when drawn.
 */
export function toImage(x: ImageLike, what = "image"): ImageData3 {
  const img = toHWC(x, what);
  if (![1, 3, 4].includes(img.channels)) {
    fail(`The ${what} has ${img.channels} channels; an image needs 1 (grey), 3 (RGB) or 4 (RGBA).`);
  }
  let max = -Infinity,
    min = Infinity;
  const d = img.data;
  for (let i = 0; i < d.length; i++) {
    if (d[i] > max) max = d[i];
    if (d[i] < min) min = d[i];
  }
  if (!Number.isFinite(max) && d.length > 0) fail(`The ${what} holds NaN or infinite values.`);
  if (min < 0) {
    const span = max > min ? max - min : 1;
    return { ...img, data: d.map((v) => (v - min) / span) };
  }
  if (max > 1.5) return { ...img, data: d.map((v) => v / 255) };
  return img;
}

/** Whether a tensor's shape can be shown as an image (after dropping a batch of one). */
export function looksLikeImage(shape: number[]): boolean {
  const s = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape;
  return (s.length === 3 && [1, 3, 4].includes(s[2]) && s[0] > 1 && s[1] > 1) || (s.length === 2 && s[0] > 1 && s[1] > 1);
}
