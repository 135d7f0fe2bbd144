/**
 * The one seeded random generator (mulberry32), so that a seed gives the same numbers on every machine
 * and backend: noise is made in JS, then uploaded. Data sets, SmoothGrad noise, sanity checks,
 * activation maximization and embeddings all draw from it.
 */
const STEP = 0x6d2b79f5;

/** mulberry32's output in [0, 1) for a state (the state advances by STEP before each output). */
function output(state: number): number {
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Uniform numbers in [0, 1) from the raw seed (no hashing): `random()` per draw. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => output((a = (a + STEP) >>> 0));
}

/** Standard normal samples by Box–Muller. */
export function normals(n: number, random: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** The generator as an object, seeded by one or more numbers (e.g. a data set seed and an image index). */
export class Random {
  private state: number;
  private spareNormal: number | null = null;

  /** The seeds are hashed together, so (1, 2) and (2, 1) differ and nearby seeds are unrelated. */
  constructor(...seeds: number[]) {
    let h = 0x9e3779b9;
    for (const seed of seeds) {
      const v = Math.floor(seed);
      for (const part of [v >>> 0, Math.floor(v / 4294967296) >>> 0]) {
        h = Math.imul(h ^ part, 0x85ebca6b);
        h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
        h ^= h >>> 16;
      }
    }
    this.state = h >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + STEP) >>> 0;
    return output(this.state);
  }

  /** Uniform in [lo, hi) (default [0, 1)). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Fisher–Yates shuffle of 0..n-1. */
  permutation(n: number): number[] {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const s = this.spareNormal;
      this.spareNormal = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}
