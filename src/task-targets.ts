import * as tf from "@tensorflow/tfjs";
import { fail } from "./errors";

/**
 * Targets for tasks other than classification, as functions from the model's output (the
 * pre-activation scores: before a final Sigmoid / Softmax) to one score per batch item. Pass one as
 * `target` to any method. Locations are fractions of the image, [0, 1] on both axes, so the same box
 * works whatever the output's resolution. Scores are sums of the output times a constant 0/1 mask, so
 * the gradient needs no gather kernel; masks that depend on the output (a peak) are read from its values
 * and are constants for the gradient.
 */
export type TaskTarget = (output: tf.Tensor) => tf.Tensor1D;

/** [top, left, bottom, right] as fractions of the image height and width. */
export type Box = [number, number, number, number];

function checkClass(output: tf.Tensor, c: number, what: string): void {
  const channels = output.shape[output.rank - 1];
  if (!Number.isInteger(c) || c < 0 || c >= channels)
    fail(`${what}: class ${c} is out of range; the output has ${channels} channels (0..${channels - 1}).`);
}

function heatmapShape(output: tf.Tensor, what: string): [number, number, number, number] {
  if (output.rank !== 4)
    fail(
      `${what} needs a heatmap output [batch, height, width, classes]; this output has shape [${output.shape.join(", ")}]. Choose the heatmap with dv.selectOutput.`,
    );
  return output.shape as [number, number, number, number];
}

function checkBox(box: Box, what: string): void {
  const [t, l, b, r] = box;
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => Number.isFinite(v) && v >= 0 && v <= 1) || b <= t || r <= l) {
    fail(
      `${what}: box must be [top, left, bottom, right] as fractions of the image in [0, 1] with bottom > top and right > left; got ${JSON.stringify(box)}.`,
    );
  }
}

/** The sum over each batch item of output × mask, where mask is [h, w, c] (the same for every item). */
function masked(output: tf.Tensor, mask: Float32Array): tf.Tensor1D {
  const [batch, h, w, c] = output.shape as number[];
  return tf.sum(tf.mul(tf.reshape(output, [batch, h * w * c]), tf.tensor2d(mask, [1, h * w * c])), 1) as tf.Tensor1D;
}

/** Heatmap cells whose centres lie inside `box`, as a mask on class `c`. */
function boxMask(h: number, w: number, channels: number, c: number, box: Box): Float32Array {
  const [t, l, b, r] = box;
  const mask = new Float32Array(h * w * channels);
  let cells = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const cy = (y + 0.5) / h,
        cx = (x + 0.5) / w;
      if (cy >= t && cy <= b && cx >= l && cx <= r) {
        mask[(y * w + x) * channels + c] = 1;
        cells++;
      }
    }
  }
  if (!cells) fail(`box ${JSON.stringify(box)} holds no cell centre of the ${h}×${w} heatmap; make it larger.`);
  return mask;
}

/** The score of class `c` at one point of a heatmap (CenterNet-style [B, H, W, C]), the cell that holds (y, x). */
export function heatmapPoint(c: number, y: number, x: number): TaskTarget {
  if (![y, x].every((v) => Number.isFinite(v) && v >= 0 && v <= 1))
    fail(`heatmapPoint: y and x are fractions of the image in [0, 1]; got (${y}, ${x}).`);
  return (output) => {
    const [, h, w, channels] = heatmapShape(output, "heatmapPoint");
    checkClass(output, c, "heatmapPoint");
    const mask = new Float32Array(h * w * channels);
    mask[(Math.min(h - 1, Math.floor(y * h)) * w + Math.min(w - 1, Math.floor(x * w))) * channels + c] = 1;
    return masked(output, mask);
  };
}

/** The sum of class `c`'s heatmap scores inside a box (the evidence for an object there). */
export function heatmapBox(c: number, box: Box): TaskTarget {
  checkBox(box, "heatmapBox");
  return (output) => {
    const [, h, w, channels] = heatmapShape(output, "heatmapBox");
    checkClass(output, c, "heatmapBox");
    return masked(output, boxMask(h, w, channels, c, box));
  };
}

/**
 * The score of class `c` at its heatmap's peak (the detection a CenterNet decoder would report),
 * found per batch item, optionally only inside `box`. `heatmapPeakOf` gives the peak's location.
 */
export function heatmapPeak(c: number, box?: Box): TaskTarget {
  if (box) checkBox(box, "heatmapPeak");
  return (output) => {
    const [batch, h, w, channels] = heatmapShape(output, "heatmapPeak");
    checkClass(output, c, "heatmapPeak");
    const values = output.dataSync();
    const allowed = box ? boxMask(h, w, channels, c, box) : null;
    const mask = new Float32Array(batch * h * w * channels);
    for (let b = 0; b < batch; b++) {
      let best = -1,
        bestValue = -Infinity;
      for (let i = c; i < h * w * channels; i += channels) {
        const v = values[b * h * w * channels + i];
        if ((!allowed || allowed[i]) && v > bestValue) {
          bestValue = v;
          best = i;
        }
      }
      mask[b * h * w * channels + best] = 1;
    }
    return tf.sum(tf.mul(tf.reshape(output, [batch, -1]), tf.tensor2d(mask, [batch, h * w * channels])), 1) as tf.Tensor1D;
  };
}

/** Where class `c` peaks in one heatmap output [1, H, W, C]: the cell, its centre as fractions, and the score. */
export function heatmapPeakOf(output: tf.Tensor, c: number): { row: number; col: number; y: number; x: number; score: number } {
  const [, h, w, channels] = heatmapShape(output, "heatmapPeakOf");
  checkClass(output, c, "heatmapPeakOf");
  const values = output.dataSync();
  let best = 0;
  for (let i = 0; i < h * w; i++) if (values[i * channels + c] > values[best * channels + c]) best = i;
  const row = Math.floor(best / w),
    col = best % w;
  return { row, col, y: (row + 0.5) / h, x: (col + 0.5) / w, score: values[best * channels + c] };
}

/**
 * Box + score heads (SSD / NanoDet style): the output is [B, N, C] class scores of N anchors whose
 * centres (y, x as fractions of the image) are `centres`; the score is the sum of class `c` over the
 * anchors centred inside `box`.
 */
export function anchorsInBox(c: number, box: Box, centres: Array<[number, number]>): TaskTarget {
  checkBox(box, "anchorsInBox");
  const [t, l, b, r] = box;
  const inside = centres.map(([y, x]) => y >= t && y <= b && x >= l && x <= r);
  if (!inside.some(Boolean)) fail(`anchorsInBox: no anchor centre lies inside ${JSON.stringify(box)}.`);
  return (output) => {
    if (output.rank !== 3 || output.shape[1] !== centres.length) {
      fail(
        `anchorsInBox needs scores [batch, ${centres.length} anchors, classes]; this output has shape [${output.shape.join(", ")}].`,
      );
    }
    checkClass(output, c, "anchorsInBox");
    const channels = output.shape[2] as number;
    const mask = new Float32Array(centres.length * channels);
    inside.forEach((yes, i) => {
      if (yes) mask[i * channels + c] = 1;
    });
    return tf.sum(tf.mul(tf.reshape(output, [output.shape[0], -1]), tf.tensor2d(mask, [1, mask.length])), 1) as tf.Tensor1D;
  };
}

/**
 * Segmentation: the sum of class `c`'s logits over a mask. `mask` is [h, w] (0/1 or weights) at any
 * resolution; it is resized (nearest) to the output's height and width.
 */
export function segmentation(c: number, mask: tf.Tensor2D | number[][]): TaskTarget {
  const m = mask instanceof tf.Tensor ? mask : tf.tensor2d(mask);
  if (m.rank !== 2) fail(`segmentation: the mask must be [height, width]; got shape [${m.shape.join(", ")}].`);
  const data = m.dataSync().slice();
  const [mh, mw] = m.shape;
  if (!(mask instanceof tf.Tensor)) m.dispose();
  return (output) => {
    const [, h, w, channels] = heatmapShape(output, "segmentation");
    checkClass(output, c, "segmentation");
    const full = new Float32Array(h * w * channels);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const sy = Math.min(mh - 1, Math.floor(((y + 0.5) * mh) / h)),
          sx = Math.min(mw - 1, Math.floor(((x + 0.5) * mw) / w));
        full[(y * w + x) * channels + c] = data[sy * mw + sx];
      }
    }
    return masked(output, full);
  };
}

/** Regression: one output unit, by its position in the output after the batch axis (e.g. [3] or [2, 5]). */
export function unit(...position: number[]): TaskTarget {
  if (!position.length || !position.every((p) => Number.isInteger(p) && p >= 0))
    fail(`unit needs the unit's position as non-negative integers; got [${position.join(", ")}].`);
  return (output) => {
    const dims = output.shape.slice(1);
    if (dims.length !== position.length || position.some((p, i) => p >= dims[i])) {
      fail(`unit [${position.join(", ")}] is outside the output's shape [${dims.join(", ")}] (after the batch axis).`);
    }
    const size = dims.reduce((a, b) => a * b, 1);
    let flat = 0;
    position.forEach((p, i) => (flat = flat * dims[i] + p));
    const mask = new Float32Array(size);
    mask[flat] = 1;
    return tf.sum(tf.mul(tf.reshape(output, [output.shape[0], size]), tf.tensor2d(mask, [1, size])), 1) as tf.Tensor1D;
  };
}
