import { strict as assert } from "assert";
import { Random } from "../../src/core/random";
import { Fft, Fft2 } from "../../src/embed/fft";
import { GridRepulsion } from "../../src/embed/grid-repulsion";
import { useGrid } from "../../src/embed/tsne";

/** The DFT by its definition, O(L²). */
function dft(re: number[], im: number[], sign: number): [number[], number[]] {
  const L = re.length;
  const outRe: number[] = [];
  const outIm: number[] = [];
  for (let k = 0; k < L; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < L; j++) {
      const a = (sign * 2 * Math.PI * j * k) / L;
      sr += re[j] * Math.cos(a) - im[j] * Math.sin(a);
      si += re[j] * Math.sin(a) + im[j] * Math.cos(a);
    }
    outRe.push(sr);
    outIm.push(si);
  }
  return [outRe, outIm];
}

/** Σ_j w_ij² (y_i − y_j) and Z = Σ_{i≠j} w_ij by their definitions. */
function exactRepulsion(y: Float64Array, n: number): { force: Float64Array; z: number } {
  const force = new Float64Array(2 * n);
  let z = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const dx = y[2 * i] - y[2 * j];
      const dy = y[2 * i + 1] - y[2 * j + 1];
      const w = 1 / (1 + dx * dx + dy * dy);
      z += w;
      force[2 * i] += w * w * dx;
      force[2 * i + 1] += w * w * dy;
    }
  }
  return { force, z };
}

function clusters(n: number, radius: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const y = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = i % 7;
    y[2 * i] = radius * Math.cos(c) + (rng.normal() * radius) / 5;
    y[2 * i + 1] = radius * Math.sin(c) + (rng.normal() * radius) / 5;
  }
  return y;
}

describe("embed: FFT-grid repulsion", () => {
  it("the FFT equals the DFT's definition, forward and inverse, in 1-D and 2-D", () => {
    const rng = new Random(4);
    const L = 16;
    const re = Array.from({ length: L }, () => rng.normal());
    const im = Array.from({ length: L }, () => rng.normal());
    for (const inverse of [false, true]) {
      const [wantRe, wantIm] = dft(re, im, inverse ? 1 : -1);
      const r = Float64Array.from(re);
      const i = Float64Array.from(im);
      if (inverse) new Fft(L).run(i, r, 0);
      else new Fft(L).run(r, i, 0);
      for (let k = 0; k < L; k++) assert.ok(Math.abs(r[k] - wantRe[k]) < 1e-12 && Math.abs(i[k] - wantIm[k]) < 1e-12);
    }
    // 2-D: rows then columns of the definition
    const gRe = Float64Array.from({ length: L * L }, () => rng.normal());
    const gIm = Float64Array.from({ length: L * L }, () => rng.normal());
    const rowsDone = Array.from({ length: L }, (_, r) =>
      dft(Array.from(gRe.subarray(r * L, (r + 1) * L)), Array.from(gIm.subarray(r * L, (r + 1) * L)), -1),
    );
    const fRe = gRe.slice();
    const fIm = gIm.slice();
    new Fft2(L).run(fRe, fIm, false);
    for (let c = 0; c < L; c++) {
      const [colRe, colIm] = dft(
        rowsDone.map((row) => row[0][c]),
        rowsDone.map((row) => row[1][c]),
        -1,
      );
      for (let r = 0; r < L; r++)
        assert.ok(Math.abs(fRe[r * L + c] - colRe[r]) < 1e-10 && Math.abs(fIm[r * L + c] - colIm[r]) < 1e-10);
    }
    new Fft2(L).run(fRe, fIm, true);
    for (let c = 0; c < L * L; c++)
      assert.ok(Math.abs(fRe[c] / (L * L) - gRe[c]) < 1e-12 && Math.abs(fIm[c] / (L * L) - gIm[c]) < 1e-12);
  });

  it("matches the exact forces within 1 % and Z within 0.5 % (Barnes–Hut at theta 0.5: about 2 % and 1 %), from a tiny layout to a wide one", () => {
    const n = 600;
    for (const radius of [1e-3, 2, 10, 30]) {
      const y = clusters(n, radius, 5);
      y[2] = y[0]; // a coincident pair
      y[3] = y[1];
      const exact = exactRepulsion(y, n);
      const force = new Float64Array(2 * n);
      const z = new GridRepulsion(n).run(y, force);
      let err = 0;
      let norm = 0;
      for (let c = 0; c < 2 * n; c++) {
        err += (force[c] - exact.force[c]) ** 2;
        norm += exact.force[c] ** 2;
      }
      const forceError = Math.sqrt(err / norm);
      const zError = Math.abs(z - exact.z) / exact.z;
      assert.ok(forceError < 0.01, `radius ${radius}: force error ${forceError}`);
      assert.ok(zError < 5e-3, `radius ${radius}: Z error ${zError}`);
    }
  });

  it("chooses the grid while the layout is small and Barnes–Hut when its grid would be large", () => {
    assert.equal(useGrid(64, 2000), true);
    assert.equal(useGrid(1024, 2000), false);
    assert.equal(useGrid(256, 20000), true);
    assert.equal(useGrid(1024, 20000), false);
    const small = GridRepulsion.fftSize(clusters(100, 1, 1), 100);
    const wide = GridRepulsion.fftSize(clusters(100, 60, 1), 100);
    assert.ok(small <= 64 && wide >= 1024, `${small} ${wide}`);
  });
});
