/** Similarity measures for comparing two attribution maps (the sanity checks use them). */
import { fail } from "../errors";

/** Ranks with ties given their average rank. */
function ranks(values: ArrayLike<number>): Float64Array {
  const order = Array.from(values, (v, i) => [v, i] as [number, number]).sort((a, b) => a[0] - b[0]);
  const r = new Float64Array(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k][1]] = avg;
    i = j + 1;
  }
  return r;
}

/** Both maps: array-likes of the same, non-zero length. */
function assertPair(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  const ok = (v: unknown) => v != null && typeof (v as ArrayLike<number>).length === "number";
  if (!ok(a) || !ok(b)) fail(`${what} compares two arrays of numbers (e.g. attribution.values.dataSync()).`);
  if (a.length !== b.length || a.length === 0)
    fail(`${what} needs two maps of the same non-zero size; got ${a.length} and ${b.length} values.`);
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertPair(a, b, "pearson");
  const n = a.length;
  let ma = 0,
    mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma,
      db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/** Spearman rank correlation: Pearson correlation of the ranks. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertPair(a, b, "spearman");
  return pearson(ranks(a), ranks(b));
}

/**
 * Mean SSIM over sliding windows (uniform, `win`×`win`) of two maps of shape [h, w], each first scaled to
 * [0, 1] by its own min and max (Wang et al. 2004 constants for a dynamic range of 1).
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, h: number, w: number, win = 7): number {
  assertPair(a, b, "ssim");
  if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0) || h * w !== a.length) {
    fail(`ssim: the maps have ${a.length} values, which is not h × w = ${h} × ${w}; pass each map's height and width.`);
  }
  if (!(Number.isInteger(win) && win > 0)) fail(`ssim: win must be a positive integer; got ${win}.`);
  const x = unit(a),
    y = unit(b);
  const wh = Math.min(win, h),
    ww = Math.min(win, w);
  const c1 = 0.01 ** 2,
    c2 = 0.03 ** 2;
  let total = 0,
    count = 0;
  for (let r = 0; r + wh <= h; r++) {
    for (let c = 0; c + ww <= w; c++) {
      let mx = 0,
        my = 0;
      for (let i = 0; i < wh; i++)
        for (let j = 0; j < ww; j++) {
          mx += x[(r + i) * w + c + j];
          my += y[(r + i) * w + c + j];
        }
      const n = wh * ww;
      mx /= n;
      my /= n;
      let vx = 0,
        vy = 0,
        cov = 0;
      for (let i = 0; i < wh; i++)
        for (let j = 0; j < ww; j++) {
          const dx = x[(r + i) * w + c + j] - mx,
            dy = y[(r + i) * w + c + j] - my;
          vx += dx * dx;
          vy += dy * dy;
          cov += dx * dy;
        }
      vx /= n - 1 || 1;
      vy /= n - 1 || 1;
      cov /= n - 1 || 1;
      total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      count++;
    }
  }
  return total / count;
}

function unit(v: ArrayLike<number>): Float64Array {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    lo = Math.min(lo, v[i]);
    hi = Math.max(hi, v[i]);
  }
  const out = new Float64Array(v.length);
  const span = hi - lo;
  for (let i = 0; i < v.length; i++) out[i] = span > 0 ? (v[i] - lo) / span : 0;
  return out;
}
