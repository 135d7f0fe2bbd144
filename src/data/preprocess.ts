import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";

/**
 * How a model wants its pixels. Every mode maps an RGB image in [0, 1] (the library's convention) to
 * the model's input, and `deprocess` maps back for display.
 *   "0-1"      unchanged
 *   "0-255"    x·255
 *   "-1-1"     2x − 1 (MobileNet, Inception)
 *   "imagenet" (x − mean) / std per channel, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225) (PyTorch)
 *   "caffe"    RGB → BGR, x·255 − (103.939, 116.779, 123.68) (Keras VGG16 / ResNet50)
 *   "gray-1-1" RGB → one grey channel g = 0.2989R + 0.587G + 0.114B, then 2g − 1 (the emotion model,
 *              trained on grey faces); deprocess repeats the grey into three channels
 */
export const PREPROCESS_MODES = ["0-1", "0-255", "-1-1", "imagenet", "caffe", "gray-1-1"] as const;
export const GRAY_WEIGHTS = [0.2989, 0.587, 0.114];
export type PreprocessMode = (typeof PREPROCESS_MODES)[number];

export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_STD = [0.229, 0.224, 0.225];
/** Caffe means, in BGR order, on the 0–255 scale. */
export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68];

function checkMode(mode: string): asserts mode is PreprocessMode {
  if (!PREPROCESS_MODES.includes(mode as PreprocessMode)) {
    fail(`Unknown preprocessing "${mode}"; use one of ${PREPROCESS_MODES.join(", ")}.`);
  }
}

function checkChannels(x: tf.Tensor, mode: PreprocessMode): void {
  const channels = x.shape[x.rank - 1];
  if ((mode === "imagenet" || mode === "caffe" || mode === "gray-1-1") && channels !== 3) {
    fail(`Preprocessing "${mode}" needs RGB images (last axis 3), got shape [${x.shape.join(", ")}].`);
  }
}

/** Maps an image (or batch, channels last) in [0, 1] to the model's input range. */
export function preprocess<T extends tf.Tensor>(x: T, mode: PreprocessMode): T {
  checkMode(mode);
  checkChannels(x, mode);
  return tf.tidy(() => {
    const f = x.toFloat();
    switch (mode) {
      case "0-1":
        return f.clone();
      case "0-255":
        return f.mul(255);
      case "-1-1":
        return f.mul(2).sub(1);
      case "imagenet":
        return f.sub(IMAGENET_MEAN).div(IMAGENET_STD);
      case "caffe":
        return tf.reverse(f, -1).mul(255).sub(CAFFE_MEAN_BGR);
      case "gray-1-1":
        return tf.sum(f.mul(GRAY_WEIGHTS), -1, true).mul(2).sub(1);
    }
  }) as T;
}

/** The inverse of `preprocess`: back to RGB in [0, 1] (not clipped, so round trips are exact). */
export function deprocess<T extends tf.Tensor>(x: T, mode: PreprocessMode): T {
  checkMode(mode);
  if (mode !== "gray-1-1") checkChannels(x, mode);
  return tf.tidy(() => {
    const f = x.toFloat();
    switch (mode) {
      case "0-1":
        return f.clone();
      case "0-255":
        return f.div(255);
      case "-1-1":
        return f.add(1).div(2);
      case "imagenet":
        return f.mul(IMAGENET_STD).add(IMAGENET_MEAN);
      case "caffe":
        return tf.reverse(f.add(CAFFE_MEAN_BGR).div(255), -1);
      case "gray-1-1":
        return tf.tile(f.add(1).div(2), [...new Array(f.rank - 1).fill(1), 3]);
    }
  }) as T;
}
