/**
 * t-SNE's repulsion on a 2-D layout by interpolation onto an equispaced grid and FFT convolution
 * (Linderman et al. 2019, "FIt-SNE"). With K(r) = 1/(1+r²)², every repulsive sum is a convolution of K
 * with one of four charges per point, q = (1, x, y, x²+y²):
 *   force_i = Σ_j K_ij (y_i − y_j) = y_i φ₁ − (φ_x, φ_y),
 *   Σ_j w_ij = Σ_j K_ij (1 + |y_i − y_j|²) = (1 + |y_i|²) φ₁ − 2 y_i·(φ_x, φ_y) + φ_r,   w = 1/(1+r²).
 * The layout's square is cut into boxes of at most MAX_BOX_WIDTH, each with NODES×NODES equispaced nodes;
 * a point's charges spread to its box's nodes with Lagrange weights, the node potentials are one FFT
 * convolution (cost set by the grid, not by n), and each point reads its potentials back with the same
 * weights. test/embed/grid-repulsion.test.ts bounds the error against the exact sums.
 */
import { Fft2 } from "./fft";

/** Interpolation nodes per box and axis (FIt-SNE's default: error falls as width³). */
const NODES = 3;
/** Widest box, in layout units (the kernel's own scale is 1). */
const MAX_BOX_WIDTH = 1;
/** Fewest boxes per axis. */
const MIN_BOXES = 8;

export class GridRepulsion {
  /** The FFT and its six L×L work grids, kept while L stays the same. */
  private grid: { fft: Fft2; grids: Float64Array[] } | null = null;
  private readonly box: Int32Array;
  private readonly weights: Float64Array;
  private readonly centred: Float64Array;

  constructor(private readonly n: number) {
    this.box = new Int32Array(2 * n);
    this.weights = new Float64Array(2 * NODES * n);
    this.centred = new Float64Array(2 * n);
  }

  /** Side of the FFT grid the layout y would use (a power of two ≥ 2·nodes per axis). */
  static fftSize(y: Float64Array, n: number): number {
    return GridRepulsion.frame(y, n).size;
  }

  private static frame(y: Float64Array, n: number) {
    let lox = Infinity;
    let hix = -Infinity;
    let loy = Infinity;
    let hiy = -Infinity;
    for (let i = 0; i < n; i++) {
      const a = y[2 * i];
      const b = y[2 * i + 1];
      if (a < lox) lox = a;
      if (a > hix) hix = a;
      if (b < loy) loy = b;
      if (b > hiy) hiy = b;
    }
    const cx = (lox + hix) / 2;
    const cy = (loy + hiy) / 2;
    const side = Math.max(hix - lox, hiy - loy) * (1 + 1e-9) + 1e-12;
    const needed = Math.max(MIN_BOXES, Math.ceil(side / MAX_BOX_WIDTH));
    let size = 2;
    while (size < 2 * NODES * needed) size *= 2;
    // the FFT is padded to a power of two anyway: spend the padding on more (narrower) boxes
    const boxes = Math.floor(size / (2 * NODES));
    return { cx, cy, side, boxes, size };
  }

  /**
   * Repulsion on every point: forces Σ_j w_ij² (y_i − y_j) into out (n×2), and Z = Σ_i Σ_{j≠i} w_ij
   * returned, as GradientPool.run and SpaceTree.repulsion2 give them.
   */
  run(y: Float64Array, out: Float64Array): number {
    const n = this.n;
    const { cx, cy, side, boxes, size: L } = GridRepulsion.frame(y, n);
    const G = boxes * NODES; // nodes per axis
    const width = side / boxes;
    const spacing = width / NODES;
    const { box, weights, centred } = this;
    // Each point's box and its Lagrange weights on the box's nodes, per axis (coordinates centred on
    // the square, which keeps |y|² small in the Z identity).
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < 2; a++) {
        const v = y[2 * i + a] - (a === 0 ? cx : cy);
        centred[2 * i + a] = v;
        const u = (v + side / 2) / width;
        const b = Math.min(boxes - 1, Math.max(0, Math.floor(u)));
        box[2 * i + a] = b;
        lagrange(u - b, weights, (2 * i + a) * NODES);
      }
    }
    if (this.grid?.fft.size !== L) {
      this.grid = { fft: new Fft2(L), grids: Array.from({ length: 6 }, () => new Float64Array(L * L)) };
    }
    const { fft, grids } = this.grid;
    for (const g of grids) g.fill(0);
    // Two complex grids carry the four real charges: (1 + i·x) and (y + i·r²).
    const [aRe, aIm, bRe, bIm, kRe, kIm] = grids;
    for (let i = 0; i < n; i++) {
      const x = centred[2 * i];
      const yy = centred[2 * i + 1];
      const r2 = x * x + yy * yy;
      const ox = box[2 * i] * NODES;
      const oy = box[2 * i + 1] * NODES;
      const wx = 2 * i * NODES;
      const wy = (2 * i + 1) * NODES;
      for (let s = 0; s < NODES; s++) {
        const row = (oy + s) * L + ox;
        for (let t = 0; t < NODES; t++) {
          const w = weights[wy + s] * weights[wx + t];
          aRe[row + t] += w;
          aIm[row + t] += w * x;
          bRe[row + t] += w * yy;
          bIm[row + t] += w * r2;
        }
      }
    }
    // The kernel at every node offset, laid out circularly, and its spectrum (real: K is even).
    for (let dy = -(G - 1); dy < G; dy++) {
      const row = ((dy + L) % L) * L;
      for (let dx = -(G - 1); dx < G; dx++) {
        const r2 = (dx * dx + dy * dy) * spacing * spacing;
        const q = 1 / (1 + r2);
        kRe[row + ((dx + L) % L)] = q * q;
      }
    }
    fft.run(kRe, kIm, false);
    fft.run(aRe, aIm, false, G);
    fft.run(bRe, bIm, false, G);
    const scale = 1 / (L * L);
    for (let c = 0; c < L * L; c++) {
      const k = kRe[c] * scale;
      aRe[c] *= k;
      aIm[c] *= k;
      bRe[c] *= k;
      bIm[c] *= k;
    }
    fft.run(aRe, aIm, true, G);
    fft.run(bRe, bIm, true, G);
    // Back to the points: φ₁ = aRe, φ_x = aIm, φ_y = bRe, φ_r = bIm.
    let z = 0;
    for (let i = 0; i < n; i++) {
      const ox = box[2 * i] * NODES;
      const oy = box[2 * i + 1] * NODES;
      const wx = 2 * i * NODES;
      const wy = (2 * i + 1) * NODES;
      let p1 = 0;
      let px = 0;
      let py = 0;
      let pr = 0;
      for (let s = 0; s < NODES; s++) {
        const row = (oy + s) * L + ox;
        for (let t = 0; t < NODES; t++) {
          const w = weights[wy + s] * weights[wx + t];
          p1 += w * aRe[row + t];
          px += w * aIm[row + t];
          py += w * bRe[row + t];
          pr += w * bIm[row + t];
        }
      }
      const x = centred[2 * i];
      const yy = centred[2 * i + 1];
      out[2 * i] = x * p1 - px;
      out[2 * i + 1] = yy * p1 - py;
      z += (1 + x * x + yy * yy) * p1 - 2 * (x * px + yy * py) + pr;
    }
    return z - n; // each point's own w_ii = 1 is in the sums
  }
}

/** Lagrange weights at u ∈ [0, 1] on NODES nodes at (t + ½)/NODES, into out[at ..]. */
function lagrange(u: number, out: Float64Array, at: number): void {
  for (let t = 0; t < NODES; t++) {
    const nt = (t + 0.5) / NODES;
    let w = 1;
    for (let s = 0; s < NODES; s++) {
      if (s === t) continue;
      const ns = (s + 0.5) / NODES;
      w *= (u - ns) / (nt - ns);
    }
    out[at + t] = w;
  }
}
