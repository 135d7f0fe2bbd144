import { strict as assert } from "assert";
import { symmetricEigen } from "../../src/embed/jacobi";
import { pcaProject } from "../../src/embed/pca";
import { Points, toPoints } from "../../src/embed/points";
import { Random } from "../../src/core/random";
import { DeepVizError } from "../../src/errors";

const close = (a: number, b: number, tol = 1e-10) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

/** Random data whose variance falls off along its features, so the spectrum has clear gaps. */
function decaying(n: number, d: number, seed: number): Points {
  const rng = new Random(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) data[i * d + t] = rng.normal() * (1 + 8 / (1 + t)) + 3;
  return { data, n, d };
}

function covariance(p: Points): Float64Array {
  const { n, d, data } = p;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t] += data[i * d + t] / n;
  const c = new Float64Array(d * d);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) {
        c[a * d + b] += ((data[i * d + a] - mean[a]) * (data[i * d + b] - mean[b])) / (n - 1);
      }
  return c;
}

describe("embed: PCA", () => {
  it("Jacobi finds the hand-derived eigenpairs of a 3×3 matrix", () => {
    // [[2,1,0],[1,2,0],[0,0,5]]: eigenvalues 5, 3, 1 with axes e3, (e1+e2)/√2, (e1−e2)/√2.
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 5]), 3);
    [5, 3, 1].forEach((v, i) => close(values[i], v));
    const expected = [
      [0, 0, 1],
      [Math.SQRT1_2, Math.SQRT1_2, 0],
      [Math.SQRT1_2, -Math.SQRT1_2, 0],
    ];
    expected.forEach((axis, r) => {
      const dot = axis.reduce((s, v, t) => s + v * vectors[r * 3 + t], 0);
      close(Math.abs(dot), 1); // same axis, either sign
    });
  });

  it("projects a hand-made 2-D point set onto its hand-derived axes", () => {
    // Four centred points: ±(√2, √2) along the diagonal and ±(1/√2, −1/√2) across it.
    // Covariance (n−1 = 3): 8/3 along (1,1)/√2, 2/3 along (1,−1)/√2.
    const s = Math.SQRT2;
    const h = Math.SQRT1_2;
    const result = pcaProject(
      toPoints(
        [
          [s, s],
          [-s, -s],
          [-h, h],
          [h, -h],
        ],
        "x",
      ),
      2,
    );
    close(result.explainedVariance[0], 8 / 3);
    close(result.explainedVariance[1], 2 / 3);
    close(result.explainedVarianceRatio[0], 0.8);
    // Sign rule: each axis's largest entry positive (ties: the first).
    [h, h, h, -h].forEach((v, i) => close(result.components[i], v));
    const expected = [
      [2, 0],
      [-2, 0],
      [0, -1],
      [0, 1],
    ];
    expected.forEach((row, i) => row.forEach((v, t) => close(result.coords[i * 2 + t], v)));
  });

  for (const [n, d, path] of [
    [120, 30, "covariance"],
    [120, 205, "Gram matrix"],
    [210, 205, "subspace iteration"],
  ] as const) {
    it(`matches an exact eigen-decomposition of the covariance (${path}, ${n}×${d})`, () => {
      const x = decaying(n, d, d);
      const k = 3;
      const result = pcaProject(x, k);
      const exact = symmetricEigen(covariance(x), d);
      for (let r = 0; r < k; r++) {
        close(result.explainedVariance[r], exact.values[r], 1e-8 * exact.values[0]);
        let dot = 0;
        for (let t = 0; t < d; t++) dot += result.components[r * d + t] * exact.vectors[r * d + t];
        close(Math.abs(dot), 1, 1e-7);
      }
    });
  }

  it("rejects more dims than features and too few points", () => {
    assert.throws(
      () =>
        pcaProject(
          toPoints(
            [
              [1, 2],
              [3, 4],
            ],
            "x",
          ),
          3,
        ),
      DeepVizError,
    );
    assert.throws(() => pcaProject(toPoints([[1, 2]], "x"), 1), /at least 2 points/);
  });
});
