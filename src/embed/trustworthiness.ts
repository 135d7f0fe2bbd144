import { fail } from "../errors";
import { exactNeighbours, squaredDistance } from "./knn";
import { PointsInput, toPoints } from "./points";

/**
 * Trustworthiness (Venna & Kaski 2001): how far the layout's k nearest neighbours are from being
 * neighbours in the original space.
 *   T(k) = 1 − 2 / (n k (2n − 3k − 1)) · Σ_i Σ_{j ∈ N_k^low(i)} max(0, r(i, j) − k)
 * where r(i, j) is j's rank among i's original-space neighbours (1 = nearest). 1 means every layout
 * neighbour is a true neighbour. Euclidean distances; ties rank the lower index first.
 */
export function trustworthiness(high: PointsInput, low: PointsInput, k = 5): number {
  const x = toPoints(high, "trustworthiness: high");
  const y = toPoints(low, "trustworthiness: low");
  const n = x.n;
  if (y.n !== n) fail(`trustworthiness: high has ${n} points but low has ${y.n}; pass the same points in both.`);
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) {
    fail(`trustworthiness: k must be an integer from 1 to below n/2 = ${n / 2}; got ${k}.`);
  }
  const lowNeighbours = exactNeighbours(y, k);
  const row = new Float64Array(n);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < n; l++) row[l] = l === i ? -1 : squaredDistance(x.data, i, x.data, l, x.d);
    for (let t = 0; t < k; t++) {
      const j = lowNeighbours.index[i * k + t];
      const dij = row[j];
      let rank = 1; // j itself
      for (let l = 0; l < n; l++) {
        if (l === i || l === j) continue;
        const dil = row[l];
        if (dil < dij || (dil === dij && l < j)) rank++;
      }
      if (rank > k) penalty += rank - k;
    }
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}
