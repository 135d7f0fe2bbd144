import { strict as assert } from "assert";
import { IntegrationMethod, quadrature, refine, refinedSize } from "../../src/methods/quadrature";

/** Σ wᵢ f(αᵢ) */
const integrate = (rule: { alphas: number[]; weights: number[] }, f: (a: number) => number) =>
  rule.alphas.reduce((s, a, i) => s + rule.weights[i]! * f(a), 0);
const near = (got: number, want: number, tol: number, what: string) =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: ${got} vs ${want}`);

describe("quadrature: Gauss–Legendre on [0, 1]", () => {
  it("matches the closed forms for 1, 2, 3 and 5 points", () => {
    const cases: Array<[number, number[], number[]]> = [
      [1, [0], [2]],
      [2, [-1 / Math.sqrt(3), 1 / Math.sqrt(3)], [1, 1]],
      [3, [-Math.sqrt(3 / 5), 0, Math.sqrt(3 / 5)], [5 / 9, 8 / 9, 5 / 9]],
      [
        5,
        [
          -Math.sqrt(5 + 2 * Math.sqrt(10 / 7)) / 3,
          -Math.sqrt(5 - 2 * Math.sqrt(10 / 7)) / 3,
          0,
          Math.sqrt(5 - 2 * Math.sqrt(10 / 7)) / 3,
          Math.sqrt(5 + 2 * Math.sqrt(10 / 7)) / 3,
        ],
        [
          (322 - 13 * Math.sqrt(70)) / 900,
          (322 + 13 * Math.sqrt(70)) / 900,
          128 / 225,
          (322 + 13 * Math.sqrt(70)) / 900,
          (322 - 13 * Math.sqrt(70)) / 900,
        ],
      ],
    ];
    for (const [n, xs, ws] of cases) {
      const { alphas, weights } = quadrature("gausslegendre", n);
      // on [-1, 1] node x has weight w; on [0, 1] it is (1 + x) / 2 with weight w / 2
      xs.forEach((x, i) => near(alphas[i]!, (1 + x) / 2, 1e-15, `n=${n} node ${i}`));
      ws.forEach((w, i) => near(weights[i]!, w / 2, 1e-15, `n=${n} weight ${i}`));
    }
  });

  it("matches Abramowitz & Stegun's table for 20 points (outermost node and weight)", () => {
    const { alphas, weights } = quadrature("gausslegendre", 20);
    near(alphas[0]!, (1 - 0.9931285991850949) / 2, 1e-15, "node");
    near(weights[0]!, 0.0176140071391521 / 2, 1e-15, "weight");
    near(alphas[19]!, (1 + 0.9931285991850949) / 2, 1e-15, "mirrored node");
  });

  it("integrates polynomials up to degree 2n − 1 exactly and smooth functions to rounding, up to 10,000 points", () => {
    for (const n of [4, 7, 64, 1000, 10_000]) {
      const rule = quadrature("gausslegendre", n);
      assert.equal(rule.alphas.length, n);
      for (let i = 1; i < n; i++) assert.ok(rule.alphas[i]! > rule.alphas[i - 1]!, `n=${n}: nodes increase`);
      assert.ok(rule.alphas[0]! > 0 && rule.alphas[n - 1]! < 1 && rule.weights.every((w) => w > 0));
      for (const k of [0, 1, Math.min(2 * n - 1, 41)])
        near(
          integrate(rule, (a) => a ** k),
          1 / (k + 1),
          1e-13,
          `n=${n} ∫α^${k}`,
        );
      if (n >= 7) near(integrate(rule, Math.exp), Math.E - 1, 1e-13, `n=${n} ∫exp`); // 4 points err by 1e-9
    }
  });

  it("gives each caller its own arrays (rules are cached)", () => {
    const first = quadrature("gausslegendre", 9);
    const original = first.alphas[0]!;
    first.alphas[0] = 42;
    first.weights.fill(0);
    const second = quadrature("gausslegendre", 9);
    assert.equal(second.alphas[0], original);
    near(
      second.weights.reduce((a, b) => a + b, 0),
      1,
      1e-15,
      "weights",
    );
  });
});

describe("quadrature: refinements", () => {
  const rules: IntegrationMethod[] = ["gausslegendre", "riemann_trapezoid", "riemann_middle", "riemann_left", "riemann_right"];
  // a kinked, ReLU-like integrand: no rule is exact on it, so equal estimates mean equal rules
  const f = (a: number) => Math.max(0, a - 0.3) * 3 + Math.sin(5 * a);
  for (const method of rules) {
    it(`${method}: keep × the coarser estimate + the new points equals the finer rule itself, three times over`, () => {
      let steps = 4;
      let estimate = integrate(quadrature(method, steps), f);
      for (let k = 0; k < 3; k++) {
        const coarser = steps;
        const r = refine(method, steps);
        assert.deepEqual(refinedSize(method, steps), { steps: r.steps, added: r.alphas.length }, `${method}: the planned size`);
        estimate = r.keep * estimate + integrate(r, f);
        steps = r.steps;
        const direct = quadrature(method, steps);
        near(estimate, integrate(direct, f), 1e-13, `${method} at ${steps} steps`);
        // the nested rules add only points the finer rule has, and none it already had
        if (r.keep > 0) {
          const fine = new Set(direct.alphas.map((a) => a.toFixed(12)));
          const old = new Set(quadrature(method, coarser).alphas.map((a) => a.toFixed(12)));
          for (const a of r.alphas) assert.ok(fine.has(a.toFixed(12)) && !old.has(a.toFixed(12)), `${method}: ${a} is new`);
          assert.equal(coarser + r.alphas.length, r.steps);
        }
      }
    });
  }
});
