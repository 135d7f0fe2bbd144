import * as tf from "@tensorflow/tfjs";
import { mulberry32, normals } from "../core/random";
import { fail } from "../errors";

/** Neighbour offsets [dy, dx] and weights of the imputation: 1/6 for the four sides, 1/12 for the corners. */
const NEIGHBOURS: Array<[number, number, number]> = [
  [-1, 0, 1 / 6],
  [1, 0, 1 / 6],
  [0, -1, 1 / 6],
  [0, 1, 1 / 6],
  [-1, -1, 1 / 12],
  [-1, 1, 1 / 12],
  [1, -1, 1 / 12],
  [1, 1, 1 / 12],
];

export interface ImputeOptions {
  /** Standard deviation of the Gaussian noise added to every imputed value (default 0.01, as in ROAD). */
  noise?: number;
  /** Seed of the noise (default 0). */
  seed?: number;
}

/**
 * Noisy linear imputation (Rong et al. 2022, ROAD): every removed pixel becomes the weighted mean of its
 * in-image neighbours (sides 1/6, corners 1/12), removed neighbours included, so the removed pixels
 * solve one sparse linear system; then Gaussian noise is added to them. Kept pixels are unchanged.
 * `pixels` is H×W×C (HWC order), `removed` H×W with 1 on removed pixels; at least one pixel must stay.
 */
export function imputeArray(
  pixels: Float32Array,
  h: number,
  w: number,
  c: number,
  removed: Uint8Array,
  options: ImputeOptions = {},
): Float32Array {
  const noise = options.noise ?? 0.01;
  if (!(Number.isFinite(noise) && noise >= 0)) fail(`noise must be a standard deviation ≥ 0; got ${noise}.`);
  const unknown = Int32Array.from({ length: h * w }, () => -1); // pixel → unknown index
  const where: number[] = [];
  removed.forEach((r, p) => {
    if (r) {
      unknown[p] = where.length;
      where.push(p);
    }
  });
  const out = Float32Array.from(pixels);
  const n = where.length;
  if (n === 0) return out;
  if (n === h * w) fail("every pixel is removed, so there is nothing to impute from; keep at least one pixel.");
  // A v = b: diag = total weight of in-image neighbours, off-diagonal −w for removed neighbours,
  // b = weighted sum of kept neighbours. Symmetric and positive definite while any pixel is kept.
  const diag = new Float64Array(n);
  const cols: number[][] = [];
  const wts: number[][] = [];
  const b = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    const p = where[i],
      y = Math.floor(p / w),
      x = p % w;
    const ci: number[] = [],
      wi: number[] = [];
    for (const [dy, dx, wt] of NEIGHBOURS) {
      const yy = y + dy,
        xx = x + dx;
      if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
      diag[i] += wt;
      const q = yy * w + xx;
      if (unknown[q] >= 0) {
        ci.push(unknown[q]);
        wi.push(wt);
      } else for (let ch = 0; ch < c; ch++) b[i * c + ch] += wt * pixels[q * c + ch];
    }
    cols.push(ci);
    wts.push(wi);
  }
  const apply = (v: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s = diag[i] * v[i];
      const ci = cols[i],
        wi = wts[i];
      for (let k = 0; k < ci.length; k++) s -= wi[k] * v[ci[k]];
      out[i] = s;
    }
  };
  const rand = normals(n * c, mulberry32(options.seed ?? 0));
  for (let ch = 0; ch < c; ch++) {
    const rhs = new Float64Array(n);
    for (let i = 0; i < n; i++) rhs[i] = b[i * c + ch];
    const v = conjugateGradient(apply, rhs, diag);
    for (let i = 0; i < n; i++) out[where[i] * c + ch] = v[i] + noise * rand[i * c + ch];
  }
  return out;
}

/** Jacobi-preconditioned conjugate gradients for a symmetric positive definite operator. */
function conjugateGradient(
  apply: (v: Float64Array, out: Float64Array) => void,
  b: Float64Array,
  diag: Float64Array,
): Float64Array {
  const n = b.length;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = b[i] / diag[i]; // a good start: kept neighbours' weighted mean
  const r = new Float64Array(n),
    z = new Float64Array(n),
    p = new Float64Array(n),
    ap = new Float64Array(n);
  apply(x, ap);
  let bNorm = 0;
  for (let i = 0; i < n; i++) {
    r[i] = b[i] - ap[i];
    z[i] = r[i] / diag[i];
    p[i] = z[i];
    bNorm += b[i] * b[i];
  }
  let rz = 0;
  for (let i = 0; i < n; i++) rz += r[i] * z[i];
  const tol = 1e-24 * Math.max(bNorm, 1e-30);
  for (let iter = 0; iter < 10 * n + 100; iter++) {
    let rr = 0;
    for (let i = 0; i < n; i++) rr += r[i] * r[i];
    if (rr <= tol) break;
    apply(p, ap);
    let pap = 0;
    for (let i = 0; i < n; i++) pap += p[i] * ap[i];
    const alpha = rz / pap;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
      z[i] = r[i] / diag[i];
    }
    let rzNext = 0;
    for (let i = 0; i < n; i++) rzNext += r[i] * z[i];
    const beta = rzNext / rz;
    rz = rzNext;
    for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
  }
  return x;
}

/**
 * dv.metrics.impute: noisy linear imputation of an image [H, W, C] where `removed` ([H, W], nonzero =
 * removed) marks the pixels to fill. Returns a new tensor; see imputeArray for the definition.
 */
export function impute(image: tf.Tensor, removed: tf.Tensor, options: ImputeOptions = {}): tf.Tensor3D {
  if (!(image instanceof tf.Tensor) || image.rank !== 3) fail("impute takes one image [H, W, C] as a tf.Tensor.");
  const [h, w, c] = image.shape;
  if (!(removed instanceof tf.Tensor) || removed.shape.join() !== `${h},${w}`) {
    fail(
      `the removed-pixel mask must be a tensor [${h}, ${w}] (the image's height and width); got ${removed instanceof tf.Tensor ? `[${removed.shape.join(", ")}]` : typeof removed}.`,
    );
  }
  const mask = Uint8Array.from(removed.dataSync(), (v) => (v > 0 ? 1 : 0));
  return tf.tensor3d(imputeArray(image.dataSync() as Float32Array, h, w, c, mask, options), [h, w, c]);
}
