import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close, H, reluModel, V } from "../helpers/models";

const relu = (v: number) => Math.max(0, v);

function reluNet(seed: number): tf.LayersModel {
  const init = (s: number) => ({
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + s }),
    biasInitializer: tf.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: seed + 10 + s }),
  });
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [5], units: 8, activation: "relu", ...init(1) }),
      tf.layers.dense({ units: 6, activation: "relu", ...init(2) }),
      tf.layers.dense({ units: 3, ...init(3) }),
    ],
  });
}

function convNet(): tf.LayersModel {
  const init = (s: number) => ({
    kernelInitializer: tf.initializers.glorotUniform({ seed: s }),
    biasInitializer: tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: 20 + s }),
  });
  const m = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: "same", ...init(1) }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 5, kernelSize: 3, activation: "tanh", ...init(2) }),
      tf.layers.averagePooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: "softmax", ...init(3) }),
    ],
  });
  m.layers[1].setWeights([
    tf.tensor1d([1.2, 0.8, 1, 2]),
    tf.tensor1d([0.1, 0, -0.1, 0.2]),
    tf.tensor1d([0.3, 0.5, 0.4, 0.2]),
    tf.tensor1d([0.5, 1, 2, 0.3]),
  ]);
  return m;
}

describe("deepLift, deepLiftShap, gradientShap", () => {
  before(async () => {
    await dv.backend();
  });

  it("DeepLift's multipliers on a ReLU net: (relu(z) − relu(z₀)) / (z − z₀) per hidden unit, by hand", async () => {
    const model = reluModel(); // hidden = relu(x·H), out = hidden·V + 0.25
    const x = [1, 0.5],
      x0 = [-0.5, 1];
    const z = [0, 1].map((k) => x[0] * H[0][k] + x[1] * H[1][k]); // [2, -0.5]
    const z0 = [0, 1].map((k) => x0[0] * H[0][k] + x0[1] * H[1][k]); // [1.5, 1.5]
    const m = z.map((zk, k) => (relu(zk) - relu(z0[k])) / (zk - z0[k])); // [1, 0.75]
    const expected = x.map((xi, i) => (xi - x0[i]) * (H[i][0] * m[0] * V[0][0] + H[i][1] * m[1] * V[1][0]));
    const a = await dv.deepLift(model, tf.tensor1d(x), { baseline: tf.tensor1d(x0), target: 0 });
    close(await a.values.data(), expected, 1e-5);
    // the gradient at x would give unit 1 multiplier 0 (it is off at x): DeepLift differs from gradient × Δ
    const gradient = x.map((xi, i) => (xi - x0[i]) * H[i][0] * V[0][0]);
    assert.ok(Math.abs(expected[0] - gradient[0]) > 0.5);
    close(a.delta!, [0], 1e-5);
    a.dispose();
  });

  it("DeepLift's summation is exact on a ReLU net with biases, for a batch and one example", async () => {
    const model = reluNet(3);
    const x = tf.randomNormal([4, 5], 0, 1, "float32", 1);
    const baseline = tf.randomNormal([5], 0, 1, "float32", 2);
    const before = tf.memory().numTensors;
    const a = await dv.deepLift(model, x, { baseline, target: [0, 1, 2, 0] });
    assert.equal(tf.memory().numTensors, before + 2);
    const delta = a.delta!;
    const fx = tf.tidy(() => dv.forward(model, x).output.arraySync() as number[][]);
    const f0 = tf.tidy(() => dv.forward(model, baseline.expandDims(0)).output.arraySync() as number[][]);
    const sums = tf.tidy(() => tf.sum(a.values, 1).arraySync() as number[]);
    sums.forEach((s, i) => close([s], [fx[i][[0, 1, 2, 0][i]] - f0[0][[0, 1, 2, 0][i]]], 1e-4, `example ${i}`));
    close(delta, [0, 0, 0, 0], 1e-4);
    const one = await dv.deepLift(model, x.slice(2, 1).squeeze([0]), { baseline, target: 2 });
    close(await one.values.data(), await a.values.slice(2, 1).data(), 1e-5, "single vs batched");
    a.dispose();
    one.dispose();
  });

  it("DeepLift sums to F(x) − F(x₀) through batch norm, max and average pooling, tanh and a softmax head", async () => {
    const model = convNet();
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, "float32", 5);
    const a = await dv.deepLift(model, x, { baseline: 0.2 });
    const scale = tf.tidy(() => tf.max(tf.abs(dv.forward(model, x).output)).dataSync()[0]);
    a.delta!.forEach((d) => assert.ok(Math.abs(d) < 1e-3 * scale, `delta ${a.delta}`));
    // not just the gradient: gradient × (x − x₀) misses F(x) − F(x₀) here
    const ixg = await dv.inputXGradient(model, tf.sub(x, 0.2), { target: a.target! });
    assert.ok(!tf.tidy(() => tf.sum(tf.abs(tf.sub(ixg.values, a.values))).dataSync()[0] < 1e-3));
    a.dispose();
    ixg.dispose();
  });

  it("DeepLiftShap is the mean of DeepLift over the baselines and sums to F(x) − mean F(b)", async () => {
    const model = reluNet(7);
    const x = tf.randomNormal([2, 5], 0, 1, "float32", 3);
    const baselines = tf.randomNormal([5, 5], 0, 1, "float32", 4);
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const s = await dv.deepLiftShap(model, x, { baselines, target: 1, batchSize: 2, onProgress: (p) => progress.push(p.done) });
    assert.equal(tf.memory().numTensors, before + 2);
    assert.deepEqual(progress, [2, 4, 5, 7, 9, 10], "rows done after each chunk of ≤ 2 baselines, per example");
    const each: dv.Attribution[] = [];
    for (let j = 0; j < 5; j++)
      each.push(await dv.deepLift(model, x, { baseline: baselines.slice(j, 1).squeeze([0]), target: 1 }));
    const mean = tf.tidy(() => tf.div(tf.addN(each.map((a) => a.values)), 5));
    close(await s.values.data(), await mean.data(), 1e-5);
    close(s.delta!, [0, 0], 1e-4);
    each.forEach((a) => a.dispose());
    mean.dispose();
    s.dispose();
  });

  it("GradientShap's many-sample average reaches its expectation: the mean of integrated gradients from each baseline", async () => {
    const model = reluNet(11);
    const x = tf.tensor1d([0.5, -1, 1.5, 0.2, -0.3]);
    const baselines = tf.randomNormal([3, 5], 0, 1, "float32", 9);
    const igs: dv.Attribution[] = [];
    for (let j = 0; j < 3; j++)
      igs.push(await dv.integratedGradients(model, x, { baseline: baselines.slice(j, 1).squeeze([0]), steps: 200, target: 0 }));
    const expected = tf.tidy(() => tf.div(tf.addN(igs.map((a) => a.values)), 3));
    const g = await dv.gradientShap(model, x, { baselines, samples: 6000, target: 0, seed: 3 });
    const err = tf.tidy(() => tf.norm(tf.sub(g.values, expected)).dataSync()[0] / tf.norm(expected).dataSync()[0]);
    assert.ok(err < 0.05, `relative error ${err}`);
    // a few samples are far from it, and the seed makes them repeatable
    const few = await dv.gradientShap(model, x, { baselines, samples: 5, target: 0, seed: 3 });
    const again = await dv.gradientShap(model, x, { baselines, samples: 5, target: 0, seed: 3 });
    const other = await dv.gradientShap(model, x, { baselines, samples: 5, target: 0, seed: 4 });
    assert.deepEqual(Array.from(await few.values.data()), Array.from(await again.values.data()));
    assert.notDeepEqual(Array.from(await few.values.data()), Array.from(await other.values.data()));
    // noise: the expectation becomes that of the noisy inputs; with tiny noise it stays close
    const noisy = await dv.gradientShap(model, x, { baselines, samples: 6000, target: 0, seed: 3, stdev: 1e-3 });
    const errNoisy = tf.tidy(() => tf.norm(tf.sub(noisy.values, expected)).dataSync()[0] / tf.norm(expected).dataSync()[0]);
    assert.ok(errNoisy < 0.05, `noisy relative error ${errNoisy}`);
    [...igs, g, few, again, other, noisy].forEach((a) => a.dispose());
    expected.dispose();
  });

  it("stops on abort with no tensor left, and says what is wrong with bad baselines", async () => {
    const model = reluNet(1);
    const x = tf.randomNormal([2, 5], 0, 1, "float32", 3);
    const [wrong, long] = [tf.zeros([3, 4]), tf.zeros([7])];
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    await assert.rejects(
      dv.gradientShap(model, x, {
        samples: 100,
        batchSize: 10,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done >= 30) controller.abort();
        },
      }),
      (e: Error) => e.name === "AbortError" && /aborted after 30 of 200 samples/.test(e.message),
    );
    assert.equal(tf.memory().numTensors, before, "no tensor left after the abort");
    await assert.rejects(
      dv.deepLiftShap(model, x, { baselines: wrong }),
      /baselines has shape \[3, 4\]; expected a batch \[N, 5\]/,
    );
    await assert.rejects(
      dv.deepLiftShap(model, x, { baselines: [1, 2] as unknown as tf.Tensor }),
      /baselines must be a tf.Tensor/,
    );
    await assert.rejects(dv.deepLift(model, x, { baseline: long }), /baseline has shape \[7\]/);
    await assert.rejects(dv.gradientShap(model, x, { samples: 0 }), /samples must be a positive integer/);
    await assert.rejects(dv.gradientShap(model, x, { stdev: -1 }), /stdev must be a finite number ≥ 0/);
    assert.equal(tf.memory().numTensors, before, "no tensor left after the errors");
    tf.dispose([wrong, long, x]);
  });
});
