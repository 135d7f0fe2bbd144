import { fail } from "../errors";
import { ImageData3, Map2D } from "./types";

/** How channels collapse into one map: signed sum (Captum), sum of absolute values, or max |value|. */
export type Reduction = "sum" | "absSum" | "maxAbs";
/** Which part of a signed map is shown (Captum's `sign`). */
export type Sign = "absolute" | "positive" | "negative" | "all";
/**
 * How a map is scaled into [0, 1] ([-1, 1] for sign "all"):
 * - "outlierPerc": Captum's cumulative-sum threshold (not a pixel percentile), then clip;
 * - "percentile": divide by the plain `percentile`-th percentile of the magnitudes, then clip;
 * - "minmax": (v − min) / (max − min); for sign "all", v / max|v| so that zero stays in the middle;
 * - "range": a fixed [lo, hi] shared by several maps so that they can be compared.
 */
export type Normalization = "outlierPerc" | "percentile" | "minmax" | "range";

export interface NormalizeOptions {
  sign?: Sign;
  normalize?: Normalization;
  /** Percent of the total mass treated as outliers by "outlierPerc" (Captum's default 2). */
  outlierPerc?: number;
  /** Percentile used by "percentile" (default 99). */
  percentile?: number;
  /** Fixed range for "range": values lo..hi go to 0..1 (sign "all": to −1..1). */
  range?: [number, number];
}

export const SIGNS: Sign[] = ["absolute", "positive", "negative", "all"];

/**
 * The [min, max] of the finite values (NaN and ±Infinity skipped), or [−m, m] with m = max |value| when
 * `symmetric`, so that zero sits in the middle. [0, 0] when there is no finite value.
 */
export function valueRange(values: ArrayLike<number>, symmetric = false): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [0, 0];
  if (!symmetric) return [lo, hi];
  const m = Math.max(Math.abs(lo), Math.abs(hi));
  return [-m, m];
}

/** Collapses H×W×C values into one H×W map. A 1-channel input is returned as its single channel. */
export function reduceChannels(img: ImageData3, how: Reduction = "sum"): Map2D {
  const { height, width, channels: c, data } = img;
  const out = new Float32Array(height * width);
  if (how === "sum") {
    for (let p = 0; p < out.length; p++) {
      let a = 0;
      for (let k = 0; k < c; k++) a += data[p * c + k];
      out[p] = a;
    }
  } else if (how === "absSum") {
    for (let p = 0; p < out.length; p++) {
      let a = 0;
      for (let k = 0; k < c; k++) a += Math.abs(data[p * c + k]);
      out[p] = a;
    }
  } else if (how === "maxAbs") {
    for (let p = 0; p < out.length; p++) {
      let a = 0;
      for (let k = 0; k < c; k++) a = Math.max(a, Math.abs(data[p * c + k]));
      out[p] = a;
    }
  } else fail(`Unknown channel reduction "${how}". Use "sum", "absSum" or "maxAbs".`);
  return { height, width, data: out };
}

/** The part of the map the sign keeps, as non-negative magnitudes (signed values for "all"). */
export function applySign(values: Float32Array, sign: Sign): Float32Array {
  const out = new Float32Array(values.length);
  const n = values.length;
  if (sign === "absolute") for (let i = 0; i < n; i++) out[i] = Math.abs(values[i]);
  else if (sign === "positive") for (let i = 0; i < n; i++) out[i] = values[i] > 0 ? values[i] : 0;
  else if (sign === "negative") for (let i = 0; i < n; i++) out[i] = values[i] < 0 ? -values[i] : 0;
  else if (sign === "all") out.set(values);
  else fail(`Unknown sign "${sign}". Use one of: ${SIGNS.join(", ")}.`);
  return out;
}

/**
 * Captum's outlier threshold: sort the (non-negative) values, accumulate, and return the value at which
 * the running sum first reaches `percent` % of the total.
 */
export function cumulativeSumThreshold(values: ArrayLike<number>, percent: number): number {
  const n = values.length;
  if (n === 0) return 0;
  let total = 0;
  for (let i = 0; i < n; i++) total += values[i];
  const goal = total * percent * 0.01;
  // Weighted quickselect: the same answer as sort + running sum, in linear expected time.
  let work = Float64Array.from(values);
  let before = 0; // sum of the values known to sort before `work`
  for (;;) {
    const pivot = work[work.length >> 1];
    let sumLess = 0,
      sumEqual = 0,
      nLess = 0,
      nGreater = 0;
    for (let i = 0; i < work.length; i++) {
      const v = work[i];
      if (v < pivot) {
        sumLess += v;
        nLess++;
      } else if (v > pivot) nGreater++;
      else sumEqual += v;
    }
    if (nLess > 0 && before + sumLess >= goal) {
      const next = new Float64Array(nLess);
      for (let i = 0, j = 0; i < work.length; i++) if (work[i] < pivot) next[j++] = work[i];
      work = next;
    } else if (before + sumLess + sumEqual >= goal || nGreater === 0) {
      return pivot;
    } else {
      before += sumLess + sumEqual;
      const next = new Float64Array(nGreater);
      for (let i = 0, j = 0; i < work.length; i++) if (work[i] > pivot) next[j++] = work[i];
      work = next;
    }
  }
}

/** numpy's default percentile (linear interpolation between the two nearest ranks). */
export function percentileOf(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

function checkOptions(o: NormalizeOptions): Required<Omit<NormalizeOptions, "range">> & { range?: [number, number] } {
  const sign = o.sign ?? "absolute";
  if (!SIGNS.includes(sign)) fail(`Unknown sign "${sign}". Use one of: ${SIGNS.join(", ")}.`);
  const normalize = o.normalize ?? (o.range ? "range" : "outlierPerc");
  if (!["outlierPerc", "percentile", "minmax", "range"].includes(normalize)) {
    fail(`Unknown normalization "${normalize}". Use "outlierPerc", "percentile", "minmax" or "range".`);
  }
  const outlierPerc = o.outlierPerc ?? 2;
  if (!(outlierPerc >= 0 && outlierPerc < 100)) fail(`outlierPerc must be in [0, 100), got ${outlierPerc}.`);
  const percentile = o.percentile ?? 99;
  if (!(percentile > 0 && percentile <= 100)) fail(`percentile must be in (0, 100], got ${percentile}.`);
  if (normalize === "range") {
    const r = o.range;
    if (!r || r.length !== 2 || !(r[1] > r[0])) fail(`normalize "range" needs range: [lo, hi] with hi > lo.`);
  }
  return { sign, normalize, outlierPerc, percentile, range: o.range };
}

/** The scale a map is divided by (outlierPerc, percentile) — exported so several maps can share one. */
export function scaleOf(signed: Float32Array, sign: Sign, how: "outlierPerc" | "percentile", p: number): number {
  const mags = sign === "all" ? applySign(signed, "absolute") : signed;
  return how === "outlierPerc" ? cumulativeSumThreshold(mags, 100 - p) : percentileOf(mags, p);
}

/**
 * Sign, then scale: the result is in [0, 1], or [−1, 1] for sign "all". An all-zero map (a Grad-CAM
 * after its ReLU, say) stays all zero instead of dividing by zero.
 */
export function normalizeMap(map: Map2D, options: NormalizeOptions = {}): Map2D {
  return normalizeWithRange(map, options).map;
}

/** A normalized map and the raw values its colour ends stand for ([lo, hi], for colour-bar labels). */
export interface Normalized {
  map: Map2D;
  lo: number;
  hi: number;
}

export function normalizeWithRange(map: Map2D, options: NormalizeOptions = {}): Normalized {
  const o = checkOptions(options);
  const v = applySign(map.data, o.sign);
  const lowBound = o.sign === "all" ? -1 : 0;
  const out = new Float32Array(v.length);
  let scale: number;
  let offset = 0;
  if (o.normalize === "outlierPerc" || o.normalize === "percentile") {
    scale = scaleOf(v, o.sign, o.normalize, o.normalize === "outlierPerc" ? o.outlierPerc : o.percentile);
  } else if (o.normalize === "minmax") {
    const [lo, hi] = valueRange(v, o.sign === "all");
    offset = o.sign === "all" ? 0 : lo;
    scale = o.sign === "all" ? hi : hi - lo;
  } else {
    const [lo, hi] = o.range!;
    // linear map of [lo, hi] onto [lowBound, 1]
    const span = (hi - lo) / (1 - lowBound);
    offset = lo - lowBound * span;
    scale = span;
  }
  const flip = o.sign === "negative" ? -1 : 1; // negative maps show magnitudes of values below zero
  const lo = flip * (offset + lowBound * scale);
  const hi = flip * (offset + scale);
  const result = { map: { height: map.height, width: map.width, data: out }, lo, hi };
  if (!(scale > 0) || !Number.isFinite(scale)) return result;
  for (let i = 0; i < v.length; i++) {
    const x = (v[i] - offset) / scale;
    out[i] = x < lowBound ? lowBound : x > 1 ? 1 : x;
  }
  return result;
}

/**
 * One fixed range for several maps, so one colour means one value in all of them: the largest scale
 * any of them would get alone (the same sign and method), as [0, s] or [−s, s] for sign "all".
 */
export function sharedRange(maps: Map2D[], options: NormalizeOptions = {}): [number, number] {
  const o = checkOptions(options);
  let s = 0;
  for (const m of maps) {
    const v = applySign(m.data, o.sign);
    if (o.normalize === "outlierPerc" || o.normalize === "percentile") {
      s = Math.max(s, scaleOf(v, o.sign, o.normalize, o.normalize === "outlierPerc" ? o.outlierPerc : o.percentile));
    } else {
      for (const x of v) s = Math.max(s, Math.abs(x));
    }
  }
  if (!(s > 0)) s = 1;
  return o.sign === "all" ? [-s, s] : [0, s];
}
