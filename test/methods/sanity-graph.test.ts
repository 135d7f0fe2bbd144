import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { tinyCnn } from "../model/graph-fixtures";

const weightMap = (m: tf.GraphModel) => m.weights as Record<string, tf.Tensor[]>;
const snapshot = (m: tf.GraphModel) =>
  Object.fromEntries(Object.entries(weightMap(m)).map(([k, [t]]) => [k, { id: t.id, values: Array.from(t.dataSync()) }]));

describe("sanityCheck on GraphModels (weights of nodes re-drawn, then restored exactly)", () => {
  let net: Awaited<ReturnType<typeof tinyCnn>>;
  let img: tf.Tensor;
  const predict = () => tf.tidy(() => Array.from((net.model.predict(img.expandDims(0)) as tf.Tensor).dataSync()));
  before(async () => {
    await dv.backend();
    net = await tinyCnn();
    img = tf.randomUniform([6, 6, 2], -1, 1, "float32", 9);
  });
  after(() => {
    net.model.dispose();
    net.builder.dispose();
    img.dispose();
  });

  for (const mode of ["cascading", "independent"] as const) {
    it(`${mode}: every node with float weights, output side first; the map changes; predictions bit-identical after; no leak`, async () => {
      const p0 = predict();
      const w0 = snapshot(net.model);
      const n = tf.memory().numTensors;
      const r = await dv.sanityCheck(net.model, img, { mode, seed: 3 });
      assert.equal(tf.memory().numTensors, n);
      // the float constants of rank ≥ 1: not the Mean's int32 axes, not the hard-swish's scalars 3 and 1/6
      assert.deepEqual(r.layers, ["logits_b", "logits", "fc", "dw", "bias2", "conv2", "conv1"]);
      assert.deepEqual(predict(), p0);
      assert.deepEqual(snapshot(net.model), w0); // the same tensors, the same values
      // a bias alone can leave a gradient unchanged; a kernel cannot
      for (const layer of ["logits", "fc", "dw", "conv2", "conv1"]) {
        const i = r.layers.indexOf(layer);
        assert.ok(r.spearmanSigned[i] < 0.99, `${mode} ${layer}: rank(m) ${r.spearmanSigned[i]}`);
      }
      if (mode === "cascading") assert.ok(r.spearmanAbs[6] < 0.6, `all weights random: rank(|m|) ${r.spearmanAbs[6]}`);
    });
  }

  it("the model the method sees really is randomized: cascading changes the logits at each step, independent one layer each", async () => {
    const logits: number[][] = [];
    const probe: dv.AttributionMethod = async (m, x) => {
      logits.push(tf.tidy(() => Array.from(dv.forward(m, x.rank === 3 ? x.expandDims(0) : x).output.dataSync())));
      return dv.saliency(m, x, { target: 0, abs: false });
    };
    await dv.sanityCheck(net.model, img, { method: probe, layers: ["logits", "conv1"], mode: "independent", seed: 1 });
    const [ref, afterLogits, afterConv1] = logits;
    assert.notDeepEqual(afterLogits, ref);
    assert.notDeepEqual(afterConv1, ref);
    // independent: the second step has trained "logits" weights again, so it is not the cascade of both
    logits.length = 0;
    await dv.sanityCheck(net.model, img, { method: probe, layers: ["logits", "conv1"], mode: "cascading", seed: 1 });
    assert.deepEqual(logits[1], afterLogits, "same seed, same first draw");
    assert.notDeepEqual(logits[2], afterConv1);
  });

  it("a method that fails halfway: the weights are restored and nothing leaks", async () => {
    const p0 = predict();
    const n = tf.memory().numTensors;
    let calls = 0;
    const failing: dv.AttributionMethod = async (m, x, o) => {
      if (++calls === 3) throw new Error("boom");
      return dv.saliency(m, x, o);
    };
    await assert.rejects(() => dv.sanityCheck(net.model, img, { method: failing }), /boom/);
    assert.equal(tf.memory().numTensors, n);
    assert.deepEqual(predict(), p0);
  });

  it("a node without weights is a DeepVizError listing those that have them", async () => {
    const n = tf.memory().numTensors;
    await assert.rejects(
      () => dv.sanityCheck(net.model, img, { layers: ["gap"] }),
      (e: Error) =>
        e instanceof dv.DeepVizError && /"gap" has no weights to randomize; choose one of logits_b, logits/.test(e.message),
    );
    assert.equal(tf.memory().numTensors, n);
  });
});

describe("sanityCheck on the shipped emotion GraphModel", () => {
  it("cascading over its four last layers: Spearman falls as more of the model is random; the model is restored exactly", async () => {
    await dv.backend();
    const z = await dv.zoo.load("emotion");
    const face = await dv.data.photo("astronaut", { crop: dv.data.ASTRONAUT_FACE, size: 64 });
    const x = dv.data.preprocess(face, z.preprocessing);
    const predict = () => tf.tidy(() => Array.from((z.model.execute(x.expandDims(0)) as tf.Tensor).dataSync()));
    const p0 = predict();
    const layers = [-1, -2, -3, -4].map(
      (i) =>
        dv
          .listLayers(z.model)
          .filter((l) => l.params > 0 && l.className !== "Mean")
          .at(i)!.name,
    );
    const n = tf.memory().numTensors;
    const r = await dv.sanityCheck(z.model, x, { layers, seed: 2 });
    assert.equal(tf.memory().numTensors, n);
    assert.deepEqual(predict(), p0);
    assert.equal(r.layers[0], "StatefulPartitionedCall/model_1/conv2d_5/BiasAdd"); // the classifier conv, next to the output
    // a trained model's saliency is not what a partly random one gives (measured: 0.50, 0.46, 0.43, 0.39)
    assert.ok(
      r.spearmanAbs.every((s) => s < 0.8),
      `rank(|m|) ${r.spearmanAbs}`,
    );
    assert.ok(r.spearmanAbs[3] < r.spearmanAbs[0] - 0.05, `rank(|m|) falls: ${r.spearmanAbs}`);
    tf.dispose([face, x]);
    z.model.dispose();
  });
});
