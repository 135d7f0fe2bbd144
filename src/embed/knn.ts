import { Points } from "./points";

/** The k nearest neighbours of every point: indices and squared Euclidean distances, nearest first. */
export interface Neighbours {
  k: number;
  /** n*k, row i holds point i's neighbours (never i itself). */
  index: Int32Array;
  /** n*k squared distances, ascending per row. */
  dist2: Float64Array;
}

/** |a_i − b_j|², four features at a time (independent sums keep the CPU's pipelines full). */
export function squaredDistance(a: Float64Array, i: number, b: Float64Array, j: number, d: number): number {
  const oi = i * d;
  const oj = j * d;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < d; t += 4) {
    const d0 = a[oi + t] - b[oj + t];
    const d1 = a[oi + t + 1] - b[oj + t + 1];
    const d2 = a[oi + t + 2] - b[oj + t + 2];
    const d3 = a[oi + t + 3] - b[oj + t + 3];
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; t < d; t++) {
    const diff = a[oi + t] - b[oj + t];
    s0 += diff * diff;
  }
  return s0 + s1 + s2 + s3;
}

/**
 * Exact k-nearest neighbours by brute force over all pairs. Each pair is measured once and offered to
 * both points' bounded max-heaps, so the cost is n²d/2 and the memory n*k.
 */
export function nearestNeighbours(p: Points, k: number): Neighbours {
  const { n, d, data } = p;
  const heapDist = new Float64Array(n * k).fill(Infinity);
  const heapIndex = new Int32Array(n * k).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = squaredDistance(data, i, data, j, d);
      if (s < heapDist[i * k]) heapReplaceTop(heapDist, heapIndex, i * k, k, s, j);
      if (s < heapDist[j * k]) heapReplaceTop(heapDist, heapIndex, j * k, k, s, i);
    }
  }
  // Turn each heap into an ascending row.
  const order = new Int32Array(k);
  const dist2 = new Float64Array(n * k);
  const index = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let t = 0; t < k; t++) order[t] = t;
    const sorted = Array.from(order).sort((a, b) => heapDist[o + a] - heapDist[o + b] || heapIndex[o + a] - heapIndex[o + b]);
    for (let t = 0; t < k; t++) {
      dist2[o + t] = heapDist[o + sorted[t]];
      index[o + t] = heapIndex[o + sorted[t]];
    }
  }
  return { k, index, dist2 };
}

/** Replaces the root (the largest) of the max-heap at [o, o+k) with (value, id) and sifts it down. */
function heapReplaceTop(dist: Float64Array, idx: Int32Array, o: number, k: number, value: number, id: number): void {
  let pos = 0;
  for (;;) {
    const left = 2 * pos + 1;
    if (left >= k) break;
    const right = left + 1;
    let big = left;
    if (right < k && dist[o + right] > dist[o + left]) big = right;
    if (dist[o + big] <= value) break;
    dist[o + pos] = dist[o + big];
    idx[o + pos] = idx[o + big];
    pos = big;
  }
  dist[o + pos] = value;
  idx[o + pos] = id;
}
