import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { mulberry32 } from "../../src/core/random";
import { close } from "../helpers/models";
import { residualTwins, Twins } from "../helpers/graph-twins";
import { shapleyByDefinition } from "../helpers/shapley";

/**
 * gradientShap, featureAblation, kernelShap and lime on GraphModels: the same numbers as on a
 * LayersModel with the same weights, and on the real emotion GraphModel the values computed again here
 * from plain model.execute calls (the pre-softmax node), not through DeepViz's interpreter.
 */
const HAPPY = 3;
const LOGITS = "StatefulPartitionedCall/model_1/global_average_pooling2d_1/Mean"; // emotion's pre-softmax node

/** [rows, cols] ids of square blocks of side `block`. */
const blockMask = (side: number, block: number) =>
  tf.tensor2d(
    Array.from(
      { length: side * side },
      (_, p) => Math.floor(Math.floor(p / side) / block) * (side / block) + Math.floor((p % side) / block),
    ),
    [side, side],
    "int32",
  );

describe("perturbation and expected-gradient methods on GraphModels", () => {
  let twins: Twins;
  before(async () => {
    await dv.backend();
    twins = await residualTwins();
  });
  after(() => twins.dispose());

  it("give the same values on a GraphModel as on the LayersModel with the same weights", async () => {
    const x = tf.randomUniform([2, 6, 6, 2], -1, 1, "float32", 3);
    const mask = blockMask(6, 2); // 9 groups
    const baselines = tf.randomUniform([3, 6, 6, 2], -0.5, 0.5, "float32", 4);
    const runs: [string, (m: dv.Model) => Promise<dv.Attribution>][] = [
      ["featureAblation", (m) => dv.featureAblation(m, x, { featureMask: mask, baseline: 0.2, target: 1 })],
      ["kernelShap", (m) => dv.kernelShap(m, x, { featureMask: mask, samples: 100, seed: 5, target: 1 })],
      ["lime", (m) => dv.lime(m, x, { featureMask: mask, samples: 64, seed: 5, target: 1 })],
      ["gradientShap", (m) => dv.gradientShap(m, x, { baselines, samples: 12, stdev: 0.05, seed: 5, target: 1 })],
    ];
    for (const [name, run] of runs) {
      const before = tf.memory().numTensors;
      const onLayers = await run(twins.layers);
      const onGraph = await run(twins.graph);
      close(await onGraph.values.data(), await onLayers.values.data(), 1e-4, name);
      assert.ok(tf.tidy(() => tf.max(tf.abs(onGraph.values)).dataSync()[0]) > 1e-3, `${name} is not all zero`);
      onLayers.dispose();
      onGraph.dispose();
      assert.equal(tf.memory().numTensors, before, `${name} leaked`);
    }
    tf.dispose([x, mask, baselines]);
  });

  describe("on the emotion model and a real face", () => {
    let z: dv.zoo.ZooModel<tf.GraphModel>;
    let face: tf.Tensor3D;
    let x: tf.Tensor3D;
    /** The happy logit of x with each group of `mask` kept (1) or set to 0 (grey in the model's [−1, 1]). */
    const logitWith = (mask: tf.Tensor2D, keep: number[]) =>
      tf.tidy(() => {
        const m = tf.gather(tf.tensor1d(keep, "float32"), tf.reshape(mask, [-1])).reshape([64, 64, 1]);
        const out = z.model.execute(tf.mul(x, m).expandDims(0), LOGITS) as tf.Tensor;
        return out.dataSync()[HAPPY];
      });
    before(async () => {
      z = await dv.zoo.load("emotion");
      face = await dv.data.photo("astronaut", { crop: dv.data.ASTRONAUT_FACE, size: 64 });
      x = dv.data.preprocess(face, z.preprocessing);
    });
    after(() => {
      tf.dispose([face, x]);
      z.model.dispose();
    });

    it("featureAblation: each 16×16 block's value is the happy logit's drop when only that block is grey, by execute", async () => {
      const mask = blockMask(64, 16) as tf.Tensor2D; // 16 groups
      const before = tf.memory().numTensors;
      const a = await dv.featureAblation(z.model, x, { featureMask: mask, target: HAPPY });
      const all = new Array(16).fill(1);
      const full = logitWith(mask, all);
      const drops = all.map(
        (_, g) =>
          full -
          logitWith(
            mask,
            all.map((v, i) => (i === g ? 0 : v)),
          ),
      );
      const ids = Array.from(await mask.data());
      close(
        await a.values.data(),
        ids.map((g) => drops[g]),
        1e-3,
      );
      // the mouth block (rows 48–63, columns 16–47) matters more than a forehead block
      assert.ok(Math.max(drops[13], drops[14]) > Math.max(drops[1], drops[2]), `drops ${drops.map((d) => d.toFixed(2))}`);
      a.dispose();
      assert.equal(tf.memory().numTensors, before);
      mask.dispose();
    });

    it("kernelShap with every coalition: the Shapley values by definition, summing to F(x) − F(grey)", async () => {
      const mask = blockMask(64, 32) as tf.Tensor2D; // 4 quadrants: all 14 proper coalitions
      const before = tf.memory().numTensors;
      const a = await dv.kernelShap(z.model, x, { featureMask: mask, target: HAPPY });
      assert.deepEqual(a.info.exact, [true]);
      const phi = shapleyByDefinition((keep) => logitWith(mask, keep), 4);
      const got = await a.values.data();
      close(
        [0, 32, 64 * 32, 64 * 32 + 32].map((p) => got[p]),
        phi,
        2e-3,
      );
      const total = logitWith(mask, [1, 1, 1, 1]) - logitWith(mask, [0, 0, 0, 0]);
      const sum = phi.reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(sum - total) < 1e-3 * Math.max(1, Math.abs(total)), `Σφ ${sum} vs ΔF ${total}`);
      // the lower half of the face (the mouth) carries most of the happy logit
      assert.ok(phi[2] + phi[3] > phi[0] + phi[1], `φ ${phi.map((v) => v.toFixed(2))}`);
      a.dispose();
      assert.equal(tf.memory().numTensors, before);
      mask.dispose();
    });

    it("lime: its linear fit ranks the blocks as kernelShap's Shapley values do, and predicts F at the full input", async () => {
      const mask = blockMask(64, 16) as tf.Tensor2D;
      const before = tf.memory().numTensors;
      const l = await dv.lime(z.model, x, { featureMask: mask, target: HAPPY, samples: 400, seed: 2 });
      const k = await dv.kernelShap(z.model, x, { featureMask: mask, target: HAPPY, samples: 400, seed: 2 });
      const perGroup = async (a: dv.Attribution) => {
        const v = await a.values.data();
        return Array.from({ length: 16 }, (_, g) => v[Math.floor(g / 4) * 16 * 64 + (g % 4) * 16]);
      };
      const [lv, kv] = [await perGroup(l), await perGroup(k)];
      const rho = dv.spearman(lv, kv);
      assert.ok(rho > 0.7, `Spearman ${rho}: lime ${lv.map((v) => v.toFixed(2))} kernelShap ${kv.map((v) => v.toFixed(2))}`);
      // LIME's most important block is one of the three with the largest Shapley values
      const order = (v: number[]) => v.map((_, i) => i).sort((i, j) => v[j] - v[i]);
      assert.ok(
        order(kv).slice(0, 3).includes(order(lv)[0]),
        `lime's top ${order(lv)[0]}, kernelShap's ${order(kv).slice(0, 3)}`,
      );
      // the fit at z = 1 (every block kept) is intercept + Σ coefficients ≈ F(x) (it carries the most weight)
      const fit = (l.info.intercept as number[])[0] + lv.reduce((s, v) => s + v, 0);
      const fx = logitWith(mask, new Array(16).fill(1));
      assert.ok(Math.abs(fit - fx) < 0.25 * Math.abs(fx) + 0.5, `fit ${fit} vs F(x) ${fx}`);
      l.dispose();
      k.dispose();
      assert.equal(tf.memory().numTensors, before);
      mask.dispose();
    });

    it("gradientShap: the mean of ∇F(b + α(x − b)) ⊙ (x − b) over its seeded α's, by saliency at each point", async () => {
      const samples = 8;
      const before = tf.memory().numTensors;
      const a = await dv.gradientShap(z.model, x, { target: HAPPY, samples, batchSize: samples, seed: 7 });
      // the same draws: per chunk, one pick per sample (one baseline: always 0), then one α per sample
      const random = mulberry32(7);
      for (let i = 0; i < samples; i++) random();
      const alphas = Array.from({ length: samples }, () => random());
      // (tf.grad through execute would run the fused kernels' slow filter gradient: minutes on the CPU)
      const path = tf.tidy(() => tf.mul(tf.tensor(alphas, [samples, 1, 1, 1]), x.expandDims(0)));
      const gradients = await dv.saliency(z.model, path, { target: new Array(samples).fill(HAPPY), abs: false });
      const expected = tf.tidy(() => tf.mul(tf.mean(gradients.values, 0), x));
      gradients.dispose();
      path.dispose();
      close(await a.values.data(), await expected.data(), 1e-4);
      a.dispose();
      expected.dispose();
      assert.equal(tf.memory().numTensors, before);
    });

    it("gradientShap's many-sample average approaches integrated gradients from the same baseline and sums to ≈ ΔF", async () => {
      const before = tf.memory().numTensors;
      const g = await dv.gradientShap(z.model, x, { target: HAPPY, samples: 256, seed: 1 });
      const ig = await dv.integratedGradients(z.model, x, { target: HAPPY, steps: 64 });
      const [sum, igSum] = tf.tidy(() => [tf.sum(g.values).dataSync()[0], tf.sum(ig.values).dataSync()[0]]);
      const whole = blockMask(64, 64) as tf.Tensor2D; // one group
      const total = logitWith(whole, [1]) - logitWith(whole, [0]);
      whole.dispose();
      assert.ok(Math.abs(igSum - total) < 0.05 * Math.abs(total), `IG Σ ${igSum} vs ΔF ${total}`);
      assert.ok(Math.abs(sum - total) < 0.15 * Math.abs(total), `GradientShap Σ ${sum} vs ΔF ${total}`);
      const r = dv.pearson(Array.from(await g.values.data()), Array.from(await ig.values.data()));
      assert.ok(r > 0.8, `Pearson with IG ${r}`);
      g.dispose();
      ig.dispose();
      assert.equal(tf.memory().numTensors, before);
    });
  });
});
