import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { Thumbnails } from "./embedding";

/**
 * Shrinks a batch of images [N, H, W, C] (C = 1, 3 or 4) so the longer side is at most `size` pixels
 * and returns them as RGBA bytes. Values in [0, 1] are scaled by 255, values in [0, 255] kept, anything
 * else stretched per image to its own min..max.
 */
export function makeThumbnails(images: tf.Tensor, size = 32): Thumbnails {
  if (images.rank !== 4 || ![1, 3, 4].includes(images.shape[3] as number)) {
    fail(
      `images for thumbnails must be shaped [N, height, width, channels] with 1, 3 or 4 channels; got [${images.shape.join(", ")}].`,
    );
  }
  const [n, h, w, c] = images.shape;
  const scale = Math.min(1, size / Math.max(h, w));
  const th = Math.max(1, Math.round(h * scale));
  const tw = Math.max(1, Math.round(w * scale));
  const pixels = tf.tidy(() => {
    const x = images.toFloat() as tf.Tensor4D;
    return (scale < 1 ? tf.image.resizeBilinear(x, [th, tw], true) : x).dataSync() as Float32Array;
  });
  const rgba = new Uint8ClampedArray(n * th * tw * 4);
  const per = th * tw * c;
  for (let i = 0; i < n; i++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = i * per; t < (i + 1) * per; t++) {
      lo = Math.min(lo, pixels[t]);
      hi = Math.max(hi, pixels[t]);
    }
    let offset = 0;
    let gain = 255;
    if (lo >= 0 && hi <= 1) gain = 255;
    else if (lo >= 0 && hi <= 255) gain = 1;
    else {
      offset = lo;
      gain = hi > lo ? 255 / (hi - lo) : 0;
    }
    for (let p = 0; p < th * tw; p++) {
      const src = i * per + p * c;
      const dst = (i * th * tw + p) * 4;
      for (let k = 0; k < 3; k++) rgba[dst + k] = (pixels[src + (c === 1 ? 0 : k)] - offset) * gain;
      rgba[dst + 3] = c === 4 ? (pixels[src + 3] - offset) * gain : 255;
    }
  }
  return { rgba, n, height: th, width: tw };
}
