import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close, linearModel } from "../helpers/models";

/** A smooth model: 4 → tanh(8) → 1 with seeded weights, so IG's integrand is curved but analytic. */
function smoothModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [4], units: 8, activation: "tanh" }));
  m.add(tf.layers.dense({ units: 1 }));
  let s = 3;
  const next = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 4 - 2;
  for (const layer of m.layers)
    layer.setWeights(layer.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, next), w.shape)));
  return m;
}

/** F(x) − F(baseline 0) per example: pre-softmax scores from the interpreter's forward pass alone. */
function change(model: tf.LayersModel, x: tf.Tensor, target = 0): number[] {
  return tf.tidy(() => {
    const fx = dv.forward(model, x).output.reshape([x.shape[0], -1]);
    const f0 = dv.forward(model, tf.zerosLike(x)).output.reshape([x.shape[0], -1]);
    return Array.from(fx.sub(f0).slice([0, target], [-1, 1]).dataSync());
  });
}

describe("integratedGradients with a tolerance", () => {
  before(async () => {
    await dv.backend();
  });
  const model = smoothModel();
  const x = tf.tensor2d([
    [1.5, -2, 0.7, 2.2],
    [0.1, 0.2, -0.1, 0.05],
  ]);

  for (const method of ["gausslegendre", "riemann_trapezoid", "riemann_middle"] as const) {
    it(`${method}: meets 1 % and 0.01 % on a smooth model; the looser tolerance takes fewer steps`, async () => {
      const d = change(model, x);
      const loose = await dv.integratedGradients(model, x, { tolerance: 1e-2, method, steps: 2 });
      const tight = await dv.integratedGradients(model, x, { tolerance: 1e-4, method, steps: 2 });
      for (const [a, tol] of [
        [loose, 1e-2],
        [tight, 1e-4],
      ] as const) {
        const sums = tf.tidy(() => Array.from(a.values.sum(1).dataSync()));
        sums.forEach((s, e) =>
          assert.ok(Math.abs(s - d[e]) <= tol * Math.abs(d[e]) + 1e-6, `${method} tol ${tol} example ${e}: Σ ${s} vs ΔF ${d[e]}`),
        );
        close(
          a.delta!,
          sums.map((s, e) => s - d[e]),
          1e-4,
        );
        assert.deepEqual(a.info.converged, [true, true]);
      }
      const [ls, ts] = [loose.info.steps as number[], tight.info.steps as number[]];
      assert.ok(ls[0] < ts[0], `${method}: ${ls[0]} steps for 1 % vs ${ts[0]} for 0.1 %`);
      ls.forEach((n, e) => assert.ok(n <= ts[e]));
      if (method === "riemann_trapezoid") {
        // halving intervals of [0, 1] from 2 points: every point is a dyadic fraction, each evaluated once
        for (const alphas of [...(loose.info.alphas as number[][]), ...(tight.info.alphas as number[][])]) {
          assert.deepEqual(
            alphas,
            [...alphas].sort((p, q) => p - q),
          );
          assert.ok(alphas[0] === 0 && alphas[alphas.length - 1] === 1 && new Set(alphas).size === alphas.length);
          for (const a of alphas) assert.ok(Number.isInteger(a * 2 ** 20), `${a} is not a dyadic fraction`);
        }
      } else {
        // the schedule from 2 steps: the midpoint's cells triple (2, 6, 18, …) and it evaluates each point
        // once; Gauss–Legendre doubles (2, 4, 8, …) and starts afresh
        const schedule = { gausslegendre: (k: number) => 2 ** (k + 1), riemann_middle: (k: number) => 2 * 3 ** k }[method];
        const sequence = Array.from({ length: 12 }, (_, k) => schedule(k));
        for (const n of [...ls, ...ts]) assert.ok(sequence.includes(n), `${method}: ${n} steps is not in ${sequence}`);
      }
      assert.deepEqual(
        loose.info.gradientEvaluations,
        ls.map((n) => (method === "gausslegendre" ? 2 * n - 2 : n)),
      );
      loose.dispose();
      tight.dispose();
    });
  }
  it("riemann_trapezoid: the result is the trapezoid on the points it chose (info.alphas), by tf.grad on the model itself", async () => {
    const a = await dv.integratedGradients(model, x, { tolerance: 1e-3 });
    const chosen = a.info.alphas as number[][];
    assert.ok(
      chosen.some((al) => al.length > 4),
      `${chosen.map((al) => al.length)} points (a refinement must have happened)`,
    );
    for (let e = 0; e < 2; e++) {
      const al = chosen[e]!;
      const want = tf.tidy(() => {
        const xe = x.slice(e, 1);
        const f = (v: tf.Tensor) => (model.apply(v) as tf.Tensor).sum();
        const sum = tf.addN(
          al.map((alpha, i) =>
            tf
              .grad(f)(xe.mul(alpha))
              .mul((al[Math.min(i + 1, al.length - 1)]! - al[Math.max(i - 1, 0)]!) / 2),
          ),
        );
        return Array.from(sum.mul(xe).dataSync());
      });
      close(
        tf.tidy(() => a.values.slice(e, 1).dataSync()),
        want,
        1e-5,
      );
    }
    a.dispose();
  });
  it("riemann_trapezoid: examples whose kept gradients could pass the memory budget are refined in turn, with the same result", async () => {
    // 2²⁷ steps × 16 bytes per point: only one example's worst case fits in the 1 GiB budget at a time
    const together = await dv.integratedGradients(model, x, { tolerance: 1e-3 });
    const inTurn = await dv.integratedGradients(model, x, { tolerance: 1e-3, maxSteps: 2 ** 27 });
    assert.deepEqual(inTurn.info.alphas, together.info.alphas);
    close(inTurn.values.dataSync(), together.values.dataSync(), 1e-6);
    tf.dispose([together, inTurn] as unknown as tf.Tensor[]);
  });
  it("riemann_trapezoid: halves the interval where a ReLU switches, hand-derived", async () => {
    // F(αx) = relu(α − 0.4) for x = 1: the integrand steps from 0 to 1 at α = 0.4, so only the interval
    // holding 0.4 has a residual, r = (a + b)/2 − 0.4. From 4 points (1/3, 2/3 apart): [1/3, 2/3] has
    // r = 0.1 (17 % of ΔF = 0.6); halved at 1/2: [1/3, 1/2], r = 0.0167 (2.8 %); at 5/12: [1/3, 5/12],
    // r = −0.025 (4.2 %); at 3/8: [3/8, 5/12], r = −0.0042 (0.69 %): met, with 7 points. Halving every
    // interval would need 25 (4, 7, 13, 25) to reach the same interval.
    const kink = tf.sequential();
    kink.add(
      tf.layers.dense({ inputShape: [1], units: 1, activation: "relu", weights: [tf.tensor2d([[1]]), tf.tensor1d([-0.4])] }),
    );
    kink.add(tf.layers.dense({ units: 1, weights: [tf.tensor2d([[1]]), tf.tensor1d([0])] }));
    const before = tf.memory().numTensors;
    const a = await dv.integratedGradients(kink, tf.tensor1d([1]), { tolerance: 0.01, target: 0 });
    close((a.info.alphas as number[][])[0]!, [0, 1 / 3, 3 / 8, 5 / 12, 1 / 2, 2 / 3, 1], 1e-7);
    assert.deepEqual(a.info.steps, [7]);
    assert.deepEqual(a.info.gradientEvaluations, [7]);
    close(
      a.delta!,
      [(3 / 8 + 5 / 12) / 2 - 0.4].map((r) => -r),
      1e-5,
    );
    close(a.values.dataSync(), [0.6 + 0.4 - (3 / 8 + 5 / 12) / 2], 1e-5);
    a.dispose();
    assert.equal(tf.memory().numTensors, before + 1); // the input tensor alone
    kink.dispose();
  });
  for (const method of ["gausslegendre", "riemann_middle", "riemann_left", "riemann_right"] as const) {
    it(`${method}: the result equals plain IG with the steps it chose, example by example (refinements reuse points exactly)`, async () => {
      // Gauss–Legendre meets 1e-3 on this smooth model with its first 4 points: ask it for more
      const a = await dv.integratedGradients(model, x, { tolerance: method === "gausslegendre" ? 1e-7 : 1e-3, method });
      const steps = a.info.steps as number[];
      assert.ok(
        steps.some((n) => n > 4),
        `${method}: ${steps} (a refinement must have happened)`,
      );
      for (let e = 0; e < 2; e++) {
        const xe = tf.tidy(() => x.slice(e, 1).squeeze([0]));
        const plain = await dv.integratedGradients(model, xe, { steps: steps[e], method });
        close(
          tf.tidy(() => a.values.slice(e, 1).squeeze([0]).dataSync()),
          plain.values.dataSync(),
          1e-5,
        );
        plain.dispose();
        xe.dispose();
      }
      a.dispose();
    });
  }
  it("a linear model is exact at the first try; maxSteps caps a tolerance that cannot be met", async () => {
    const lin = await dv.integratedGradients(linearModel(), tf.tensor1d([1, 2, 3, 4]), { tolerance: 1e-4, target: 1 });
    assert.deepEqual(lin.info.steps, [4]);
    assert.equal(lin.info.method, "riemann_trapezoid"); // a tolerance's default rule
    const fixed = await dv.integratedGradients(linearModel(), tf.tensor1d([1, 2, 3, 4]), { steps: 3, target: 1 });
    assert.equal(fixed.info.method, "riemann_middle"); // fixed steps' default rule
    fixed.dispose();
    const capped = await dv.integratedGradients(model, x, { tolerance: 1e-9, maxSteps: 16, method: "riemann_left" });
    assert.deepEqual(capped.info.steps, [16, 16]);
    assert.deepEqual(capped.info.converged, [false, false]);
    tf.dispose([lin, capped] as unknown as tf.Tensor[]);
  });
  it("on the zoo's shapes_cnn: meets 1 % per example, and 5 % takes fewer steps", async () => {
    const { model: cnn } = await dv.zoo.load("shapes_cnn");
    const data = dv.data.shapes({ n: 2, seed: 3 });
    const labels = Array.from(data.labels.dataSync());
    const d = labels.map((c, e) => tf.tidy(() => change(cnn, data.images.slice(e, 1), c)[0]));
    const before = tf.memory().numTensors;
    const one = await dv.integratedGradients(cnn, data.images, { tolerance: 0.01, target: labels });
    const five = await dv.integratedGradients(cnn, data.images, { tolerance: 0.05, target: labels });
    const sums = tf.tidy(() => Array.from(one.values.sum([1, 2, 3]).dataSync()));
    sums.forEach((s, e) => assert.ok(Math.abs(s - d[e]) <= 0.01 * Math.abs(d[e]), `example ${e}: Σ ${s} vs ΔF ${d[e]}`));
    assert.deepEqual(one.info.converged, [true, true]);
    const [s1, s5] = [one.info.steps as number[], five.info.steps as number[]];
    assert.ok(s5.reduce((a, b) => a + b) < s1.reduce((a, b) => a + b), `5 %: ${s5}, 1 %: ${s1}`);
    one.dispose();
    five.dispose();
    assert.equal(tf.memory().numTensors, before);
    data.dispose();
  });
  it("progress covers the whole budget; an abort stops it with no tensor left; bad options are refused", async () => {
    const seen: number[] = [];
    const a = await dv.integratedGradients(model, x, { tolerance: 1e-2, maxSteps: 64, onProgress: (p) => seen.push(p.done) });
    // a tolerance's default, the trapezoid, refined adaptively: each example's budget is maxSteps points
    assert.equal(seen[seen.length - 1], 2 * 64);
    assert.ok(seen.every((v, i) => i === 0 || v >= seen[i - 1]));
    a.dispose();
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    await assert.rejects(
      dv.integratedGradients(model, x, {
        tolerance: 1e-9,
        batchSize: 4,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done >= 8) controller.abort();
        },
      }),
      (e: Error) => e.name === "AbortError",
    );
    assert.equal(tf.memory().numTensors, before);
    await assert.rejects(
      dv.integratedGradients(model, x, { tolerance: 0 }),
      /tolerance is the largest relative completeness residual/,
    );
    await assert.rejects(
      dv.integratedGradients(model, x, { tolerance: 0.01, steps: 64, maxSteps: 32 }),
      /maxSteps \(32\) is below/,
    );
    await assert.rejects(dv.integratedGradients(model, x, { tolerance: 0.01, maxSteps: 0 }), dv.DeepVizError);
    assert.equal(tf.memory().numTensors, before);
  });
});
