import * as tf from "@tensorflow/tfjs";
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

/** Extra candidates per point kept from the float32 pass, so float32 rounding cannot push a true neighbour out. */
const MARGIN = 16;
/** Dot products per chunk (float32): about 64 MB. */
const CHUNK_ENTRIES = 1 << 24;

/**
 * The k nearest neighbours of every point, for t-SNE and UMAP. Candidates come from dot products on the
 * tf backend (|a−b|² = |a|² − 2a·b + |b|², in row chunks, each pair once) scanned into bounded heaps
 * of k + MARGIN, then re-ranked by exact float64 distances: the same answer as exactNeighbours() unless
 * float32 rounding reorders near-ties beyond the margin (test/embed/knn.test.ts measures recall on
 * MNIST), at matrix-product speed. n²d/2 multiply-adds and n·chunk memory.
 */
export function nearestNeighbours(p: Points, k: number): Neighbours {
  const { n, d, data } = p;
  const want = Math.min(n - 1, k + MARGIN);
  // Centred, so float32 keeps the small differences that separate neighbours.
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t] += data[i * d + t] / n;
  const centred = new Float32Array(n * d);
  const halfNorm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) {
      const v = (centred[i * d + t] = data[i * d + t] - mean[t]);
      halfNorm[i] += (v * v) / 2;
    }
  }
  // |b|²/2 − a·b orders a's row as |a−b|² does (|a|² is the same along it)
  const heapKey = new Float64Array(n * want).fill(Infinity);
  const heapIndex = new Int32Array(n * want).fill(-1);
  // each heap's largest key again, side by side: the scan reads every later point's, in a row
  const top = new Float64Array(n).fill(Infinity);
  const x = tf.tensor2d(centred, [n, d]);
  const xt = x.transpose();
  try {
    const rows = Math.max(1, Math.floor(CHUNK_ENTRIES / n));
    for (let start = 0; start < n; start += rows) {
      // rows [start, start + size) against columns [start, n): each pair once, offered to both heaps
      const size = Math.min(rows, n - start);
      const cols = n - start;
      const dots = tf.tidy(() => tf.matMul(x.slice([start, 0], [size, d]), xt.slice([0, start], [d, cols])));
      const dot = dots.dataSync() as Float32Array;
      dots.dispose();
      for (let r = 0; r < size; r++) {
        const i = start + r;
        const oi = i * want;
        const hi = halfNorm[i];
        for (let j = i + 1, at = r * cols + r + 1; j < n; j++, at++) {
          const keyI = halfNorm[j] - dot[at];
          if (keyI < top[i]) {
            heapReplaceTop(heapKey, heapIndex, oi, want, keyI, j);
            top[i] = heapKey[oi];
          }
          const keyJ = hi - dot[at];
          if (keyJ < top[j]) {
            heapReplaceTop(heapKey, heapIndex, j * want, want, keyJ, i);
            top[j] = heapKey[j * want];
          }
        }
      }
    }
  } finally {
    x.dispose();
    xt.dispose();
  }
  const dist2 = new Float64Array(n * k);
  const index = new Int32Array(n * k);
  const who = new Int32Array(want);
  const dist = new Float64Array(want);
  const order = Array.from({ length: want }, (_, t) => t);
  for (let i = 0; i < n; i++) {
    const o = i * want;
    let m = 0;
    for (let t = 0; t < want; t++) {
      const j = heapIndex[o + t];
      if (j < 0) continue;
      who[m] = j;
      dist[m++] = squaredDistance(data, i, data, j, d);
    }
    const sorted = order.slice(0, m).sort((a, b) => dist[a] - dist[b] || who[a] - who[b]);
    for (let t = 0; t < k; t++) {
      dist2[i * k + t] = dist[sorted[t]];
      index[i * k + t] = who[sorted[t]];
    }
  }
  return { k, index, dist2 };
}

/**
 * Exact k-nearest neighbours by brute force over all pairs (the reference nearestNeighbours() is tested
 * against, and trustworthiness's measure of low-dimensional layouts). Each pair is measured once and offered to
 * both points' bounded max-heaps, so the cost is n²d/2 and the memory n*k.
 */
export function exactNeighbours(p: Points, k: number): Neighbours {
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
