import { fail } from "../errors";

/**
 * Radix-2 complex FFTs of one power-of-two length L, twiddles and bit-reversal pairs computed once:
 * X_k = Σ_j x_j e^{−2πi jk/L}. The inverse (unscaled: the caller divides by L) is the forward transform
 * with re and im swapped on the way in and out, so one loop serves both.
 */
export class Fft {
  /** Twiddles of the stage that combines halves of length h, at [h − 1, 2h − 1): cos and −sin of πj/h. */
  private readonly wr: Float64Array;
  private readonly wi: Float64Array;
  private readonly swap: Int32Array;

  constructor(readonly size: number) {
    if (!(size >= 2 && (size & (size - 1)) === 0)) fail(`FFT size must be a power of two of at least 2; got ${size}.`);
    this.wr = new Float64Array(size);
    this.wi = new Float64Array(size);
    for (let h = 1; h < size; h *= 2) {
      for (let j = 0; j < h; j++) {
        this.wr[h - 1 + j] = Math.cos((Math.PI * j) / h);
        this.wi[h - 1 + j] = -Math.sin((Math.PI * j) / h);
      }
    }
    const bits = Math.log2(size);
    const pairs: number[] = [];
    for (let j = 0; j < size; j++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((j >> b) & 1) << (bits - 1 - b);
      if (r > j) pairs.push(j, r);
    }
    this.swap = Int32Array.from(pairs);
  }

  /** Forward transform of re/im[offset .. offset + L) in place (pass (im, re) for the inverse). */
  run(re: Float64Array, im: Float64Array, offset: number): void {
    const { size, wr, wi, swap } = this;
    for (let s = 0; s < swap.length; s += 2) {
      const a = offset + swap[s];
      const b = offset + swap[s + 1];
      const tr = re[a];
      re[a] = re[b];
      re[b] = tr;
      const ti = im[a];
      im[a] = im[b];
      im[b] = ti;
    }
    const end = offset + size;
    for (let a = offset; a < end; a += 2) {
      const tr = re[a + 1];
      const ti = im[a + 1];
      re[a + 1] = re[a] - tr;
      im[a + 1] = im[a] - ti;
      re[a] += tr;
      im[a] += ti;
    }
    for (let half = 2; half < size; half <<= 1) {
      for (let start = offset; start < end; start += 2 * half) {
        for (let j = 0; j < half; j++) {
          const cr = wr[half - 1 + j];
          const ci = wi[half - 1 + j];
          const a = start + j;
          const b = a + half;
          const tr = cr * re[b] - ci * im[b];
          const ti = cr * im[b] + ci * re[b];
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
  }

  /**
   * Forward transform down every column of an L×L row-major grid: the butterflies combine whole rows,
   * so the inner loop runs along contiguous memory.
   */
  runColumns(re: Float64Array, im: Float64Array): void {
    const { size: L, wr, wi, swap } = this;
    for (let s = 0; s < swap.length; s += 2) {
      const a = swap[s] * L;
      const b = swap[s + 1] * L;
      for (let c = 0; c < L; c++) {
        const tr = re[a + c];
        re[a + c] = re[b + c];
        re[b + c] = tr;
        const ti = im[a + c];
        im[a + c] = im[b + c];
        im[b + c] = ti;
      }
    }
    for (let half = 1; half < L; half <<= 1) {
      for (let start = 0; start < L; start += 2 * half) {
        for (let j = 0; j < half; j++) {
          const cr = wr[half - 1 + j];
          const ci = wi[half - 1 + j];
          const a = (start + j) * L;
          const b = a + half * L;
          for (let c = 0; c < L; c++) {
            const br = re[b + c];
            const bi = im[b + c];
            const tr = cr * br - ci * bi;
            const ti = cr * bi + ci * br;
            re[b + c] = re[a + c] - tr;
            im[b + c] = im[a + c] - ti;
            re[a + c] += tr;
            im[a + c] += ti;
          }
        }
      }
    }
  }
}

/**
 * 2-D FFT of an L×L row-major grid, in place. Only rows [0, rows) are transformed along x (forward:
 * the others are known to be zero; inverse: the others are not wanted), which saves up to a quarter.
 */
export class Fft2 {
  private readonly line: Fft;

  constructor(readonly size: number) {
    this.line = new Fft(size);
  }

  /** Forward, or (inverse) the unscaled inverse: the caller divides by L². */
  run(re: Float64Array, im: Float64Array, inverse: boolean, rows = this.size): void {
    const L = this.size;
    const [r, i] = inverse ? [im, re] : [re, im];
    if (!inverse) for (let row = 0; row < rows; row++) this.line.run(r, i, row * L);
    this.line.runColumns(r, i);
    if (inverse) for (let row = 0; row < rows; row++) this.line.run(r, i, row * L);
  }
}
