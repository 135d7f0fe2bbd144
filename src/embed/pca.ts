import { fail } from "../errors";
import { symmetricEigen } from "./jacobi";
import { Points } from "./points";
import { Random } from "../core/random";

export interface PcaResult {
  /** n*k projections onto the principal axes. */
  coords: Float64Array;
  k: number;
  /** k*d unit principal axes (rows), largest variance first; each one's largest entry is positive. */
  components: Float64Array;
  /** Variance along each axis (sample variance, n−1 denominator) and its share of the total. */
  explainedVariance: Float64Array;
  explainedVarianceRatio: Float64Array;
  mean: Float64Array;
}

/** Side length up to which the covariance (or Gram) matrix is decomposed exactly by Jacobi. */
const EXACT_LIMIT = 200;

function centered(x: Points): { xc: Float64Array; mean: Float64Array } {
  const { n, d, data } = x;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const xc = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xc[i * d + j] = data[i * d + j] - mean[j];
  return { xc, mean };
}

/** XᵀX (d×d) of row-major X (n×d). */
function crossProduct(xc: Float64Array, n: number, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let a = 0; a < d; a++) {
      const va = xc[o + a];
      if (va === 0) continue;
      const row = a * d;
      for (let b = a; b < d; b++) c[row + b] += va * xc[o + b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) c[a * d + b] = c[b * d + a];
  return c;
}

/** XXᵀ (n×n). */
function gram(xc: Float64Array, n: number, d: number): Float64Array {
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += xc[i * d + t] * xc[j * d + t];
      g[i * n + j] = s;
      g[j * n + i] = s;
    }
  }
  return g;
}

function normalize(v: Float64Array, o: number, len: number): number {
  let s = 0;
  for (let t = 0; t < len; t++) s += v[o + t] ** 2;
  const norm = Math.sqrt(s);
  if (norm > 0) for (let t = 0; t < len; t++) v[o + t] /= norm;
  return norm;
}

/** Orthonormalizes the b rows (each of length d) of q in place (modified Gram–Schmidt, applied twice). */
function orthonormalizeRows(q: Float64Array, b: number, d: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let r = 0; r < b; r++) {
      for (let s = 0; s < r; s++) {
        let dot = 0;
        for (let t = 0; t < d; t++) dot += q[r * d + t] * q[s * d + t];
        for (let t = 0; t < d; t++) q[r * d + t] -= dot * q[s * d + t];
      }
      normalize(q, r * d, d);
    }
  }
}

/** C·q for each row of q, where C = XᵀX is never formed: rows of (X qᵀ)ᵀ X. */
function applyCovariance(xc: Float64Array, n: number, d: number, q: Float64Array, b: number): Float64Array {
  const out = new Float64Array(b * d);
  const proj = new Float64Array(b);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let r = 0; r < b; r++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += xc[o + t] * q[r * d + t];
      proj[r] = s;
    }
    for (let r = 0; r < b; r++) {
      const pr = proj[r];
      for (let t = 0; t < d; t++) out[r * d + t] += pr * xc[o + t];
    }
  }
  return out;
}

/**
 * Top-k eigenpairs of XᵀX for wide data, by subspace iteration with a Rayleigh–Ritz step, iterated until
 * the leading Ritz values settle to near machine precision.
 */
function subspaceEigen(xc: Float64Array, n: number, d: number, k: number): { values: Float64Array; vectors: Float64Array } {
  const b = Math.min(d, k + 10);
  const rng = new Random(12345);
  let q = new Float64Array(b * d);
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  orthonormalizeRows(q, b, d);
  let previous = new Float64Array(k).fill(NaN);
  let values: Float64Array = new Float64Array(b);
  for (let iter = 0; iter < 500; iter++) {
    const cq = applyCovariance(xc, n, d, q, b);
    // Rayleigh–Ritz: T = Q C Qᵀ (b×b), rotate the basis onto T's eigenvectors.
    const t = new Float64Array(b * b);
    for (let r = 0; r < b; r++)
      for (let s = 0; s < b; s++) {
        let dot = 0;
        for (let u = 0; u < d; u++) dot += q[r * d + u] * cq[s * d + u];
        t[r * b + s] = dot;
      }
    for (let r = 0; r < b; r++) for (let s = 0; s < r; s++) t[r * b + s] = t[s * b + r] = (t[r * b + s] + t[s * b + r]) / 2;
    const eig = symmetricEigen(t, b);
    values = eig.values;
    let settled = true;
    for (let r = 0; r < k; r++) {
      if (!(Math.abs(values[r] - previous[r]) <= 1e-13 * Math.abs(values[0]))) settled = false;
    }
    previous = values.slice(0, k);
    // Next basis: C q rotated by the Ritz vectors, re-orthonormalized.
    const next = new Float64Array(b * d);
    for (let r = 0; r < b; r++)
      for (let s = 0; s < b; s++) {
        const w = eig.vectors[r * b + s];
        if (w === 0) continue;
        for (let u = 0; u < d; u++) next[r * d + u] += w * (settled ? q[s * d + u] : cq[s * d + u]);
      }
    if (settled) {
      q = next;
      break;
    }
    orthonormalizeRows(next, b, d);
    q = next;
  }
  for (let r = 0; r < k; r++) normalize(q, r * d, d);
  return { values: values.slice(0, k), vectors: q.slice(0, k * d) };
}

/**
 * Principal component analysis: projections onto the k directions of largest variance. Exact
 * (Jacobi on the covariance, or on the Gram matrix when there are fewer points than features) up to
 * EXACT_LIMIT; beyond that, subspace iteration converged to near machine precision.
 */
export function pcaProject(x: Points, k: number): PcaResult {
  const { n, d } = x;
  if (!Number.isInteger(k) || k < 1 || k > d) fail(`PCA dims must be an integer from 1 to the feature count (${d}); got ${k}.`);
  if (n < 2) fail(`PCA needs at least 2 points; got ${n}.`);
  const { xc, mean } = centered(x);
  let totalSquares = 0;
  for (let i = 0; i < xc.length; i++) totalSquares += xc[i] * xc[i];

  let values: Float64Array;
  const components = new Float64Array(k * d);
  if (d <= EXACT_LIMIT) {
    const eig = symmetricEigen(crossProduct(xc, n, d), d);
    values = eig.values.slice(0, k);
    components.set(eig.vectors.subarray(0, k * d));
  } else if (n <= EXACT_LIMIT) {
    // Same nonzero spectrum as XᵀX; an axis is Xᵀu normalized.
    const eig = symmetricEigen(gram(xc, n, d), n);
    values = eig.values.slice(0, k);
    for (let r = 0; r < k; r++) {
      for (let i = 0; i < n; i++) {
        const u = eig.vectors[r * n + i];
        for (let t = 0; t < d; t++) components[r * d + t] += u * xc[i * d + t];
      }
      normalize(components, r * d, d);
    }
  } else {
    const eig = subspaceEigen(xc, n, d, k);
    values = eig.values;
    components.set(eig.vectors);
  }

  // A fixed sign per axis so results do not flip between runs or machines.
  for (let r = 0; r < k; r++) {
    let big = 0;
    for (let t = 0; t < d; t++) if (Math.abs(components[r * d + t]) > Math.abs(big)) big = components[r * d + t];
    if (big < 0) for (let t = 0; t < d; t++) components[r * d + t] = -components[r * d + t];
  }
  const coords = new Float64Array(n * k);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < k; r++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += xc[i * d + t] * components[r * d + t];
      coords[i * k + r] = s;
    }
  const explainedVariance = values.map((v) => Math.max(v, 0) / (n - 1));
  const totalVariance = totalSquares / (n - 1);
  const explainedVarianceRatio = explainedVariance.map((v) => (totalVariance > 0 ? v / totalVariance : 0));
  return { coords, k, components, explainedVariance, explainedVarianceRatio, mean };
}
