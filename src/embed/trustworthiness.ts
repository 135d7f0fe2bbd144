import { fail } from "../errors";
import { Random } from "../core/random";
import { squaredDistance } from "./knn";
import { PointsInput, toPoints } from "./points";

export interface TrustworthinessOptions {
  /**
   * Score this many points (seeded sample) instead of all n: each costs O(n·d), so the exact score is
   * O(n²d). The sample mean of the per-point penalty estimates the full one without bias.
   */
  sample?: number;
  seed?: number;
}

/**
 * Trustworthiness (Venna & Kaski 2001): how far the layout's k nearest neighbours are from being
 * neighbours in the original space.
 *   T(k) = 1 − 2 / (n k (2n − 3k − 1)) · Σ_i Σ_{j ∈ N_k^low(i)} max(0, r(i, j) − k)
 * where r(i, j) is j's rank among i's original-space neighbours (1 = nearest). 1 means every layout
 * neighbour is a true neighbour. Euclidean distances; ties rank the lower index first.
 */
export function trustworthiness(high: PointsInput, low: PointsInput, k = 5, options: TrustworthinessOptions = {}): number {
  const x = toPoints(high, "trustworthiness: high");
  const y = toPoints(low, "trustworthiness: low");
  const n = x.n;
  if (y.n !== n) fail(`trustworthiness: high has ${n} points but low has ${y.n}; pass the same points in both.`);
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) {
    fail(`trustworthiness: k must be an integer from 1 to below n/2 = ${n / 2}; got ${k}.`);
  }
  const { sample } = options;
  if (sample !== undefined && !(Number.isInteger(sample) && sample >= 1 && sample <= n)) {
    fail(`trustworthiness: sample must be an integer from 1 to n = ${n}; got ${sample}.`);
  }
  const scored = sample === undefined ? null : new Random(options.seed ?? 0).permutation(n).slice(0, sample);
  const m = scored?.length ?? n;
  const high2 = new Float64Array(n);
  const low2 = new Float64Array(n);
  const nearest = new Int32Array(k + 1);
  let penalty = 0;
  for (let s = 0; s < m; s++) {
    const i = scored ? scored[s] : s;
    for (let l = 0; l < n; l++) {
      high2[l] = l === i ? -1 : squaredDistance(x.data, i, x.data, l, x.d);
      low2[l] = l === i ? -1 : squaredDistance(y.data, i, y.data, l, y.d);
    }
    kSmallest(low2, i, nearest, k);
    for (let t = 0; t < k; t++) {
      const j = nearest[t];
      const dij = high2[j];
      let rank = 1; // j itself
      for (let l = 0; l < n; l++) {
        if (l === i || l === j) continue;
        const dil = high2[l];
        if (dil < dij || (dil === dij && l < j)) rank++;
      }
      if (rank > k) penalty += rank - k;
    }
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty * (n / m);
}

/** The k indices l ≠ i with the smallest d[l] (ties: lower index first), ascending, into out[0..k). */
function kSmallest(d: Float64Array, i: number, out: Int32Array, k: number): void {
  let size = 0;
  for (let l = 0; l < d.length; l++) {
    if (l === i) continue;
    const v = d[l];
    if (size === k && v >= d[out[k - 1]]) continue; // equal: the earlier (lower) index stays
    let at = size < k ? size++ : k - 1;
    while (at > 0 && d[out[at - 1]] > v) {
      out[at] = out[at - 1];
      at--;
    }
    out[at] = l;
  }
}
