import { Random } from "../../src/core/random";

/** `clusters` Gaussian blobs of unit spread around centres `spread` apart on average; labels = blob index. */
export function blobs(n: number, d: number, clusters: number, spread: number, seed = 1): { rows: number[][]; labels: number[] } {
  const rng = new Random(seed);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: d }, () => rng.normal() * spread));
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    rows.push(centres[c].map((v) => v + rng.normal()));
    labels.push(c);
  }
  return { rows, labels };
}

/** Fraction of points whose nearest other point in `points` carries the same label. */
export function nearestLabelAgreement(points: number[][], labels: number[]): number {
  let agree = 0;
  for (let i = 0; i < points.length; i++) {
    let best = Infinity;
    let who = -1;
    for (let j = 0; j < points.length; j++) {
      if (j === i) continue;
      const d = points[i].reduce((s, v, t) => s + (v - points[j][t]) ** 2, 0);
      if (d < best) [best, who] = [d, j];
    }
    if (labels[who] === labels[i]) agree++;
  }
  return agree / points.length;
}
