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

    it("refuses a node it has no rule for, naming it", async () => {
      const g = new GraphBuilder();
      const input = g.input("x", [-1, 4]);
      g.op("mm", "MatMul", [input, g.constant("w", seeded(8, 3), [4, 2])], {
        transpose_a: attr.bool(false),
        transpose_b: attr.bool(false),
      });
      g.op("sq", "Square", ["mm"]);
      g.op("Identity", "Identity", ["sq"]);
      const model = await g.build();
      const xs = tf.ones([4]);
      const before = tf.memory().numTensors;
      await assert.rejects(
        dv.deepLift(model, xs, { target: 0 }),
        (e: Error) => e instanceof dv.DeepVizError && /node "sq" \(op Square\)/.test(e.message),
      );
      assert.equal(tf.memory().numTensors, before);
      xs.dispose();
      g.dispose();
      model.dispose();
    });
  });
});
