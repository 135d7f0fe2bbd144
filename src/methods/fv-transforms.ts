import * as tf from "@tensorflow/tfjs";

/**
 * Robustness transforms (Lucid's standard transforms): each step sees the images randomly shifted, scaled
 * and rotated, so the optimum must work wherever and however large it sits, which removes the
 * high-frequency patterns that fool one exact pixel grid. One bilinear warp, computed in JS both ways
 * (a gather's gradient, UnsortedSegmentSum, is quadratic on the cpu and wasm backends).
 */
export interface Transforms {
  /** Largest shift in pixels (default: width / 32). */
  jitter?: number;
  /** Largest relative change of size (default 0.05: scales 0.95 … 1.05). */
  scale?: number;
  /** Largest rotation in degrees (default 5). */
  rotate?: number;
}

export function randomWarp(images: tf.Tensor4D, t: Required<Transforms>, random: () => number): tf.Tensor4D {
  const [b, h, w, c] = images.shape;
  if (t.jitter === 0 && t.scale === 0 && t.rotate === 0) return images;
  const idx = new Int32Array(4 * b * h * w);
  const wts = new Float32Array(4 * b * h * w);
  for (let n = 0; n < b; n++) {
    const s = 1 + (random() * 2 - 1) * t.scale;
    const a = ((random() * 2 - 1) * t.rotate * Math.PI) / 180;
    const dy = (random() * 2 - 1) * t.jitter,
      dx = (random() * 2 - 1) * t.jitter;
    const [cos, sin] = [Math.cos(a) / s, Math.sin(a) / s];
    const [cy, cx] = [(h - 1) / 2, (w - 1) / 2];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        // where output pixel (y, x) samples the source, edges clamped
        const sy = Math.min(h - 1, Math.max(0, cos * (y - cy) - sin * (x - cx) + cy + dy));
        const sx = Math.min(w - 1, Math.max(0, sin * (y - cy) + cos * (x - cx) + cx + dx));
        const y0 = Math.floor(sy),
          x0 = Math.floor(sx),
          y1 = Math.min(h - 1, y0 + 1),
          x1 = Math.min(w - 1, x0 + 1);
        const fy = sy - y0,
          fx = sx - x0;
        const o = 4 * ((n * h + y) * w + x),
          base = n * h * w;
        idx[o] = base + y0 * w + x0;
        wts[o] = (1 - fy) * (1 - fx);
        idx[o + 1] = base + y0 * w + x1;
        wts[o + 1] = (1 - fy) * fx;
        idx[o + 2] = base + y1 * w + x0;
        wts[o + 2] = fy * (1 - fx);
        idx[o + 3] = base + y1 * w + x1;
        wts[o + 3] = fy * fx;
      }
    }
  }
  const warp = tf.customGrad(((x: tf.Tensor) => {
    const src = x.dataSync() as Float32Array;
    const out = new Float32Array(b * h * w * c);
    for (let p = 0; p < b * h * w; p++) {
      for (let k = 0; k < 4; k++) {
        const from = idx[4 * p + k] * c,
          wt = wts[4 * p + k];
        if (wt) for (let ch = 0; ch < c; ch++) out[p * c + ch] += wt * src[from + ch];
      }
    }
    return {
      value: tf.tensor(out, x.shape),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        // the transpose: every output pixel's gradient shared back to its four source pixels
        const g = (dy as tf.Tensor).dataSync() as Float32Array;
        const back = new Float32Array(b * h * w * c);
        for (let p = 0; p < b * h * w; p++) {
          for (let k = 0; k < 4; k++) {
            const to = idx[4 * p + k] * c,
              wt = wts[4 * p + k];
            if (wt) for (let ch = 0; ch < c; ch++) back[to + ch] += wt * g[p * c + ch];
          }
        }
        return [tf.tensor(back, x.shape)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return warp(images) as tf.Tensor4D;
}
