import { Neighbours } from "./knn";

/** Sparse symmetric matrix in compressed rows: row i's entries are cols/vals[rowStart[i] .. rowStart[i+1]). */
export interface SparseRows {
  n: number;
  rowStart: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

/**
 * Conditional probabilities p(j|i) over each point's neighbours: a Gaussian whose precision is found by
 * binary search so that its entropy equals log(perplexity), as in van der Maaten & Hinton (2008).
 * Returns n*k values aligned with `nb.index`.
 */
export function conditionalAffinities(
  nb: Neighbours,
  n: number,
  perplexity: number,
  tolerance = 1e-5,
  maxSteps = 100,
): Float64Array {
  const { k, dist2 } = nb;
  const target = Math.log(perplexity);
  const p = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const nearest = dist2[o]; // shifting by the smallest distance changes nothing after normalizing, but avoids underflow
    let beta = 1;
    let lo = 0;
    let hi = Infinity;
    for (let step = 0; step < maxSteps; step++) {
      let sum = 0;
      let weighted = 0;
      for (let t = 0; t < k; t++) {
        const e = Math.exp(-beta * (dist2[o + t] - nearest));
        p[o + t] = e;
        sum += e;
        weighted += e * (dist2[o + t] - nearest);
      }
      const entropy = Math.log(sum) + (beta * weighted) / sum;
      for (let t = 0; t < k; t++) p[o + t] /= sum;
      const diff = entropy - target;
      if (Math.abs(diff) <= tolerance) break;
      if (diff > 0) {
        // too flat: sharpen
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
  }
  return p;
}

/** P = (P_cond + P_condᵀ) / sum, the joint probabilities t-SNE matches. */
export function symmetrize(nb: Neighbours, cond: Float64Array, n: number): SparseRows {
  const { k, index } = nb;
  // Incoming edges per row, so each row's entry list can be laid out before merging.
  const count = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    count[i] += k;
    for (let t = 0; t < k; t++) count[index[i * k + t]]++;
  }
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i] + count[i];
  const rawCols = new Int32Array(start[n]);
  const rawVals = new Float64Array(start[n]);
  const fill = start.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = index[i * k + t];
      const v = cond[i * k + t];
      rawCols[fill[i]] = j;
      rawVals[fill[i]++] = v;
      rawCols[fill[j]] = i;
      rawVals[fill[j]++] = v;
    }
  }
  // Merge duplicate columns within each row (a pair that are each other's neighbours appears twice).
  const slotOf = new Int32Array(n).fill(-1);
  const rowStart = new Int32Array(n + 1);
  const cols = new Int32Array(start[n]);
  const vals = new Float64Array(start[n]);
  let nnz = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    rowStart[i] = nnz;
    for (let e = start[i]; e < start[i + 1]; e++) {
      const j = rawCols[e];
      if (slotOf[j] === -1) {
        slotOf[j] = nnz;
        cols[nnz] = j;
        vals[nnz++] = rawVals[e];
      } else {
        vals[slotOf[j]] += rawVals[e];
      }
      total += rawVals[e];
    }
    for (let e = rowStart[i]; e < nnz; e++) slotOf[cols[e]] = -1;
  }
  rowStart[n] = nnz;
  const scale = 1 / Math.max(total, Number.MIN_VALUE);
  for (let e = 0; e < nnz; e++) vals[e] *= scale;
  return { n, rowStart, cols: cols.slice(0, nnz), vals: vals.slice(0, nnz) };
}
