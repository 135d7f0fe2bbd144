import * as tf from "@tensorflow/tfjs";
import { backend } from "../backend";
import { fail } from "../errors";
import { assertTensor } from "../model/validate";

export interface SuperpixelOptions {
  /** About how many segments (default 50). */
  segments?: number;
  /** Colour against distance: higher gives squarer segments (default 10, in CIELAB units as in scikit-image). */
  compactness?: number;
  /** k-means iterations (default 10). */
  iterations?: number;
}

/**
 * SLIC superpixels (Achanta et al. 2012): k-means on (CIELAB colour, position) started from a grid, each
 * centre searching a 2S × 2S window, then fragments smaller than a quarter of a segment merged into a
 * neighbour so segments are connected. `image`: [H, W, C] in [0, 1] (RGB is converted to CIELAB; other
 * channel counts are used as they are, ×100) or a batch [B, H, W, C]. Returns int32 segment ids
 * 0..K−1 shaped [H, W] (or [B, H, W]): a `featureMask` for featureAblation, kernelShap and lime.
 */
export async function superpixels(image: tf.Tensor, options: SuperpixelOptions = {}): Promise<tf.Tensor> {
  await backend();
  assertTensor(image, "image");
  if (image.rank !== 3 && image.rank !== 4)
    fail(`superpixels needs an image [H, W, C] or a batch [B, H, W, C]; got shape [${image.shape.join(", ")}].`);
  const segments = options.segments ?? 50;
  const compactness = options.compactness ?? 10;
  const iterations = options.iterations ?? 10;
  if (!Number.isInteger(segments) || segments < 1) fail(`segments must be a positive integer; got ${segments}.`);
  if (!(compactness > 0) || !Number.isFinite(compactness)) fail(`compactness must be a positive number; got ${compactness}.`);
  if (!Number.isInteger(iterations) || iterations < 1) fail(`iterations must be a positive integer; got ${iterations}.`);
  const batch = image.rank === 4 ? image.shape[0] : 1;
  const [h, w, c] = image.shape.slice(-3);
  const data = await image.data();
  const out = new Int32Array(batch * h * w);
  for (let b = 0; b < batch; b++) {
    const pixels = data.subarray(b * h * w * c, (b + 1) * h * w * c) as Float32Array;
    out.set(slic(features(pixels, h, w, c), h, w, c === 3 ? 3 : c, segments, compactness, iterations), b * h * w);
  }
  return tf.tensor(out, image.rank === 4 ? [batch, h, w] : [h, w], "int32");
}

/** Per-pixel colour features: CIELAB for RGB, else the channels ×100 (so compactness means the same). */
function features(px: Float32Array, h: number, w: number, c: number): Float64Array {
  const out = new Float64Array(h * w * c);
  if (c !== 3) {
    for (let i = 0; i < px.length; i++) out[i] = px[i] * 100;
    return out;
  }
  const lin = (v: number) => {
    const u = Math.min(1, Math.max(0, v));
    return u <= 0.04045 ? u / 12.92 : ((u + 0.055) / 1.055) ** 2.4;
  };
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  for (let i = 0; i < h * w; i++) {
    const r = lin(px[3 * i]),
      g = lin(px[3 * i + 1]),
      bl = lin(px[3 * i + 2]);
    const x = (0.4124 * r + 0.3576 * g + 0.1805 * bl) / 0.95047;
    const y = 0.2126 * r + 0.7152 * g + 0.0722 * bl;
    const z = (0.0193 * r + 0.1192 * g + 0.9505 * bl) / 1.08883;
    const fx = f(x),
      fy = f(y),
      fz = f(z);
    out[3 * i] = 116 * fy - 16;
    out[3 * i + 1] = 500 * (fx - fy);
    out[3 * i + 2] = 200 * (fy - fz);
  }
  return out;
}

function slic(feat: Float64Array, h: number, w: number, c: number, segments: number, m: number, iterations: number): Int32Array {
  const step = Math.max(1, Math.sqrt((h * w) / segments));
  const centres: number[][] = []; // [y, x, ...colour]
  for (let y = step / 2; y < h; y += step) {
    for (let x = step / 2; x < w; x += step) {
      const i = Math.floor(y) * w + Math.floor(x);
      centres.push([Math.floor(y), Math.floor(x), ...feat.subarray(i * c, i * c + c)]);
    }
  }
  const label = new Int32Array(h * w).fill(-1);
  const dist = new Float64Array(h * w);
  const spatial = (m / step) ** 2;
  for (let it = 0; it < iterations; it++) {
    dist.fill(Infinity);
    centres.forEach((ctr, k) => {
      const y0 = Math.max(0, Math.floor(ctr[0] - step)),
        y1 = Math.min(h, Math.ceil(ctr[0] + step + 1));
      const x0 = Math.max(0, Math.floor(ctr[1] - step)),
        x1 = Math.min(w, Math.ceil(ctr[1] + step + 1));
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = y * w + x;
          let d = 0;
          for (let ch = 0; ch < c; ch++) {
            const v = feat[i * c + ch] - ctr[2 + ch];
            d += v * v;
          }
          d += spatial * ((y - ctr[0]) ** 2 + (x - ctr[1]) ** 2);
          if (d < dist[i]) {
            dist[i] = d;
            label[i] = k;
          }
        }
      }
    });
    const sums = centres.map(() => new Float64Array(2 + c + 1));
    for (let i = 0; i < h * w; i++) {
      const s = sums[label[i]];
      s[0] += Math.floor(i / w);
      s[1] += i % w;
      for (let ch = 0; ch < c; ch++) s[2 + ch] += feat[i * c + ch];
      s[2 + c] += 1;
    }
    sums.forEach((s, k) => {
      if (s[2 + c] > 0) centres[k] = Array.from(s.subarray(0, 2 + c), (v) => v / s[2 + c]);
    });
  }
  return connect(label, h, w, Math.max(1, Math.floor((h * w) / centres.length / 4)));
}

/** Relabels 4-connected components 0..K−1, merging those smaller than `minSize` into the component met just before them. */
function connect(label: Int32Array, h: number, w: number, minSize: number): Int32Array {
  const out = new Int32Array(h * w).fill(-1);
  let next = 0;
  const stack: number[] = [];
  for (let start = 0; start < h * w; start++) {
    if (out[start] >= 0) continue;
    // the neighbour component already labelled (left or above), to absorb a small fragment
    const y = Math.floor(start / w),
      x = start % w;
    const adjacent = x > 0 ? out[start - 1] : y > 0 ? out[start - w] : -1;
    const members: number[] = [];
    out[start] = next;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      members.push(i);
      const iy = Math.floor(i / w),
        ix = i % w;
      for (const j of [ix > 0 ? i - 1 : -1, ix < w - 1 ? i + 1 : -1, iy > 0 ? i - w : -1, iy < h - 1 ? i + w : -1]) {
        if (j >= 0 && out[j] < 0 && label[j] === label[i]) {
          out[j] = next;
          stack.push(j);
        }
      }
    }
    if (members.length < minSize && adjacent >= 0) for (const i of members) out[i] = adjacent;
    else next++;
  }
  return out;
}
