import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close } from "../helpers/models";
import { residualTwins, Twins } from "../helpers/graph-twins";
import { attr, GraphBuilder, seeded } from "../model/graph-fixtures";

/**
 * DeepLift and LRP on GraphModels through the GraphModel interpreter's node rule: the same values as
 * on the LayersModel twin with the same weights, their axioms (summation, conservation), and on the real
 * emotion model finite, sane values.
 */
const HAPPY = 3;
const LOGITS = "StatefulPartitionedCall/model_1/global_average_pooling2d_1/Mean";

describe("DeepLift and LRP on GraphModels", () => {
  let twins: Twins;
  let x: tf.Tensor;
  before(async () => {
    await dv.backend();
    twins = await residualTwins();
    x = tf.randomUniform([3, 6, 6, 2], -1, 1, "float32", 11);
  });
  after(() => {
    twins.dispose();
    x.dispose();
  });

  describe("deepLift", () => {
    it("equals DeepLift on the LayersModel twin, and sums to F(x) − F(x₀) exactly", async () => {
      const baseline = tf.randomUniform([6, 6, 2], -0.3, 0.3, "float32", 12);
      const before = tf.memory().numTensors;
      const onGraph = await dv.deepLift(twins.graph, x, { baseline, target: [0, 1, 2] });
      const onLayers = await dv.deepLift(twins.layers, x, { baseline, target: [0, 1, 2] });
      close(await onGraph.values.data(), await onLayers.values.data(), 1e-4);
      const f = (t: tf.Tensor) =>
        tf.tidy(() => Array.from((twins.graph.execute(t, "fc_b") as tf.Tensor).arraySync() as number[][], (r, i) => r[i]));
      const fx = f(x);
      const f0 = tf.tidy(() => f(tf.tile(baseline.expandDims(0), [3, 1, 1, 1])));
      const sums = tf.tidy(() => Array.from(tf.sum(onGraph.values, [1, 2, 3]).dataSync()));
      close(
        sums,
        fx.map((v, i) => v - f0[i]),
        1e-4,
        "Σ = ΔF",
      );
      close(onGraph.delta!, [0, 0, 0], 1e-4, "info.delta");
      // not the gradient × Δx: the rule changed something
      const ixg = tf.tidy(() => {
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.slice(twins.graph.execute(t, "fc_b") as tf.Tensor, [0, 0], [-1, 1])))(x);
        return tf
          .sum(tf.abs(tf.sub(tf.slice(tf.mul(g, tf.sub(x, baseline)), 0, 1), tf.slice(onGraph.values, 0, 1))))
          .dataSync()[0];
      });
      assert.ok(ixg > 1e-3, `differs from gradient × Δx by ${ixg}`);
      onGraph.dispose();
      onLayers.dispose();
      assert.equal(tf.memory().numTensors, before);
      baseline.dispose();
    });

    it("stays exact through a ReLU into a max pool (windows of zeros at both input and reference), both kinds", async () => {
      const relu = await residualTwins({ reluBeforePool: true });
      const baseline = tf.randomUniform([6, 6, 2], -0.3, 0.3, "float32", 12);
      const before = tf.memory().numTensors;
      const onGraph = await dv.deepLift(relu.graph, x, { baseline, target: [0, 1, 2] });
      const onLayers = await dv.deepLift(relu.layers, x, { baseline, target: [0, 1, 2] });
      close(onGraph.delta!, [0, 0, 0], 1e-5, "graph info.delta");
      close(onLayers.delta!, [0, 0, 0], 1e-5, "layers info.delta");
      close(await onGraph.values.data(), await onLayers.values.data(), 1e-4);
      // the case is really there: some pool window is all zeros at the input, with a positive maximum at the reference
      const zerosThere = tf.tidy(() => {
        const pooled = (t: tf.Tensor) => tf.maxPool(relu.graph.execute(t, "conv1") as tf.Tensor4D, 2, 2, "valid");
        const px = pooled(x),
          p0 = pooled(tf.expandDims(baseline, 0));
        return tf.any(tf.logicalAnd(tf.equal(px, 0), tf.greater(p0, 0))).dataSync()[0];
      });
      assert.equal(zerosThere, 1);
      onGraph.dispose();
      onLayers.dispose();
      assert.equal(tf.memory().numTensors, before);
      baseline.dispose();
      relu.dispose();
    });

    it("deepLiftShap on the GraphModel equals the LayersModel's and sums to F(x) − mean F(b)", async () => {
      const baselines = tf.randomUniform([4, 6, 6, 2], -0.5, 0.5, "float32", 13);
      const before = tf.memory().numTensors;
      const g = await dv.deepLiftShap(twins.graph, x, { baselines, target: 1, batchSize: 3 });
      const l = await dv.deepLiftShap(twins.layers, x, { baselines, target: 1 });
      close(await g.values.data(), await l.values.data(), 1e-4);
      close(g.delta!, [0, 0, 0], 1e-4);
      g.dispose();
      l.dispose();
      assert.equal(tf.memory().numTensors, before);
      baselines.dispose();
    });

    it("on the emotion model: sums to F(face) − F(grey) exactly, mass on the lower face, nothing leaked", async () => {
      const z = await dv.zoo.load("emotion");
      const face = await dv.data.photo("astronaut", { crop: dv.data.ASTRONAUT_FACE, size: 64 });
      const input = dv.data.preprocess(face, z.preprocessing);
      const before = tf.memory().numTensors;
      const a = await dv.deepLift(z.model, input, { target: HAPPY });
      const [fx, f0] = tf.tidy(() =>
        [input, tf.zerosLike(input)].map((t) => (z.model.execute(t.expandDims(0), LOGITS) as tf.Tensor).dataSync()[HAPPY]),
      );
      const [sum, lower, total] = tf.tidy(() =>
        [tf.sum(a.values), tf.sum(tf.abs(tf.slice(a.values, [32, 0, 0], [32, 64, 1]))), tf.sum(tf.abs(a.values))].map(
          (t) => t.dataSync()[0],
        ),
      );
      assert.ok(Math.abs(sum - (fx - f0)) < 1e-3 * Math.max(1, Math.abs(fx - f0)), `Σ ${sum} vs ΔF ${fx - f0}`);
      assert.ok(lower / total > 0.5, `lower half ${lower / total}`);
      a.dispose();
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([face, input]);
      z.model.dispose();
    });

    it("refuses a node it has no rule for, naming it, and a graph traced for batch 1", async () => {
      const build = async (batch: number, last: string) => {
        const g = new GraphBuilder();
        const input = g.input("x", [batch, 4]);
        g.op("mm", "MatMul", [input, g.constant("w", seeded(8, 3), [4, 2])], {
          transpose_a: attr.bool(false),
          transpose_b: attr.bool(false),
        });
        g.op("act", last, ["mm"]);
        g.op("Identity", "Identity", ["act"]);
        const m = await g.build();
        g.dispose();
        return m;
      };
      const square = await build(-1, "Square");
      const single = await build(1, "Relu");
      const xs = tf.ones([4]);
      const before = tf.memory().numTensors;
      const refused = (re: RegExp) => (e: Error) => e instanceof dv.DeepVizError && re.test(e.message);
      await assert.rejects(dv.deepLift(square, xs, { target: 0 }), refused(/node "act" \(op Square\)/));
      await assert.rejects(dv.deepLift(single, xs, { target: 0 }), refused(/traced for batch 1/));
      assert.equal(tf.memory().numTensors, before);
      xs.dispose();
      square.dispose();
      single.dispose();
    });
  });

  describe("lrp", () => {
    for (const rule of ["epsilon", "gamma", "alphaBeta", "zPlus", "epsilonGammaBox"] as const) {
      it(`${rule}: the same relevance as on the LayersModel twin (biases, fused ReLU, depthwise conv, max pool, Add, mean)`, async () => {
        const options = { rule, target: [0, 2, 1], bounds: [-1, 1] as [number, number] };
        const before = tf.memory().numTensors;
        const onGraph = await dv.lrp(twins.graph, x, options);
        const onLayers = await dv.lrp(twins.layers, x, options);
        close(await onGraph.values.data(), await onLayers.values.data(), 1e-4);
        close(onGraph.info.conservation as number[], onLayers.info.conservation as number[], 1e-4, "conservation");
        assert.ok(tf.tidy(() => tf.max(tf.abs(onGraph.values)).dataSync()[0]) > 1e-3);
        onGraph.dispose();
        onLayers.dispose();
        assert.equal(tf.memory().numTensors, before);
      });
    }

    it("ε on a bias-free graph conserves: Σ input relevance = the score, for every example", async () => {
      const free = await residualTwins({ bias: false, seed: 2 });
      const a = await dv.lrp(free.graph, x, { target: [0, 1, 2] });
      const score = tf.tidy(() =>
        Array.from((free.graph.execute(x, "fc_b") as tf.Tensor).arraySync() as number[][], (r, i) => r[i]),
      );
      const sums = tf.tidy(() => Array.from(tf.sum(a.values, [1, 2, 3]).dataSync()));
      close(sums, score, 1e-4, "Σ R = score");
      close(a.info.conservation as number[], [1, 1, 1], 1e-4);
      a.dispose();
      free.dispose();
    });

    it("ε by hand on MatMul → BiasAdd → Relu → MatMul → BiasAdd: R_i = Σ_k x_i W_ik R_k / z_k, R_k = h_k V_kc", async () => {
      // x(3) → MatMul W + BiasAdd b → Relu → MatMul V + BiasAdd c → scores(2); class 1
      const W = [
        [1, -1],
        [0.5, 2],
        [-1, 0.5],
      ];
      const b = [0.2, -0.1];
      const V = [
        [1, -2],
        [0.5, 1.5],
      ];
      const c = [0.1, 0.3];
      const g = new GraphBuilder();
      const input = g.input("x", [-1, 3]);
      const mm = { transpose_a: attr.bool(false), transpose_b: attr.bool(false) };
      g.op("h", "MatMul", [input, g.constant("W", W.flat(), [3, 2])], mm);
      g.op("hb", "BiasAdd", ["h", g.constant("b", b, [2])]);
      g.op("r", "Relu", ["hb"]);
      g.op("o", "MatMul", ["r", g.constant("V", V.flat(), [2, 2])], mm);
      g.op("ob", "BiasAdd", ["o", g.constant("c", c, [2])]);
      g.op("Identity", "Identity", ["ob"]);
      const model = await g.build();
      const xs = [1, 0.5, -0.5];
      const z = [0, 1].map((k) => xs.reduce((s, v, i) => s + v * W[i][k], 0) + b[k]);
      const h = z.map((v) => Math.max(v, 0));
      const out = h.reduce((s, v, k) => s + v * V[k][1], 0) + c[1];
      const Rh = h.map((v, k) => (v * V[k][1] * out) / out);
      const expected = xs.map((v, i) => [0, 1].reduce((s, k) => s + (h[k] > 0 ? (v * W[i][k] * Rh[k]) / z[k] : 0), 0));
      const t = tf.tensor1d(xs);
      const a = await dv.lrp(model, t, { target: 1 });
      close(await a.values.data(), expected, 1e-5);
      a.dispose();
      t.dispose();
      g.dispose();
      model.dispose();
    });

    it("on the emotion model: finite relevance, ε and z⁺ conserve at most the score, mass on the lower face; no leaks", async () => {
      const z = await dv.zoo.load("emotion");
      const face = await dv.data.photo("astronaut", { crop: dv.data.ASTRONAUT_FACE, size: 64 });
      const input = dv.data.preprocess(face, z.preprocessing);
      const before = tf.memory().numTensors;
      const eps = await dv.lrp(z.model, input, { target: HAPPY });
      const zPlus = await dv.lrp(z.model, input, { target: HAPPY, rule: "zPlus" });
      const box = await dv.lrp(z.model, input, { target: HAPPY, rule: "epsilonGammaBox", bounds: [-1, 1] });
      const facts = (a: dv.Attribution) =>
        tf.tidy(() => ({
          finite: tf.all(tf.isFinite(a.values)).dataSync()[0] === 1,
          lowerShare:
            tf.sum(tf.abs(tf.slice(a.values, [32, 0, 0], [32, 64, 1]))).dataSync()[0] / tf.sum(tf.abs(a.values)).dataSync()[0],
          conservation: (a.info.conservation as number[])[0],
        }));
      const [e, p, b] = [eps, zPlus, box].map(facts);
      assert.ok(e.finite && p.finite && b.finite && Number.isFinite(b.conservation));
      // biases (batch norm folded in) and ε absorb relevance: some of the score reaches the input, never more
      assert.ok(e.conservation > 0.1 && e.conservation < 1, `ε conservation ${e.conservation}`);
      assert.ok(p.conservation > 0 && p.conservation < 1, `z+ conservation ${p.conservation}`);
      assert.ok(e.lowerShare > 0.55 && p.lowerShare > 0.55, `lower-face share ε ${e.lowerShare}, z+ ${p.lowerShare}`);
      // with ε → 0 on a piecewise-linear graph LRP is gradient × input (Ancona et al. 2018); a larger ε is not
      const ixg = await dv.inputXGradient(z.model, input, { target: HAPPY });
      const wide = await dv.lrp(z.model, input, { target: HAPPY, epsilon: 1 });
      const [diff, scale] = tf.tidy(() =>
        [tf.max(tf.abs(tf.sub(eps.values, ixg.values))), tf.max(tf.abs(ixg.values))].map((t) => t.dataSync()[0]),
      );
      assert.ok(diff < 1e-3 * scale, `LRP-ε(1e-6) vs input × gradient: max diff ${diff} of ${scale}`);
      const r = dv.pearson(Array.from(await wide.values.data()), Array.from(await ixg.values.data()));
      assert.ok(r < 0.99, `LRP-ε(1) vs input × gradient: Pearson ${r}`);
      wide.dispose();
      [eps, zPlus, box, ixg].forEach((a) => a.dispose());
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([face, input]);
      z.model.dispose();
    });

    it("refuses an op it has no rule for, and a product of two computed tensors, naming the node", async () => {
      const build = async (second: (g: GraphBuilder) => void) => {
        const g = new GraphBuilder();
        g.input("x", [-1, 4]);
        g.op("mm", "MatMul", ["x", g.constant("w", seeded(8, 3), [4, 2])], {
          transpose_a: attr.bool(false),
          transpose_b: attr.bool(false),
        });
        second(g);
        const m = await g.build();
        g.dispose();
        return m;
      };
      const square = await build((g) => {
        g.op("sq", "Square", ["mm"]);
        g.op("Identity", "Identity", ["sq"]);
      });
      const product = await build((g) => {
        g.op("t", "Transpose", ["mm", g.constant("perm", [1, 0], [2], "int32")], { Tperm: { type: "DT_INT32" } });
        g.op("gram", "MatMul", ["mm", "t"], { transpose_a: attr.bool(false), transpose_b: attr.bool(false) });
        g.op("Identity", "Identity", ["gram"]);
      });
      const xs = tf.ones([4]);
      const before = tf.memory().numTensors;
      const refused = (re: RegExp) => (e: Error) => e instanceof dv.DeepVizError && re.test(e.message);
      await assert.rejects(dv.lrp(square, xs, { target: 0 }), refused(/no rule for node "sq" \(op Square\)/));
      await assert.rejects(dv.lrp(product, xs, { target: 0 }), refused(/node "gram" \(MatMul\) multiplies two computed tensors/));
      assert.equal(tf.memory().numTensors, before);
      xs.dispose();
      square.dispose();
      product.dispose();
    });
  });
});
