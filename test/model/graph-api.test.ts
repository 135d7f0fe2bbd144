import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { createServer } from "http";
import { AddressInfo } from "net";
import { tmpdir } from "os";
import { join } from "path";
import * as dv from "../../src";
import { close } from "../helpers/models";
import { tinyCnn, tinyDetector } from "./graph-fixtures";

async function rejects(run: () => unknown, pattern: RegExp): Promise<void> {
  const before = tf.memory().numTensors;
  try {
    await run();
  } catch (e) {
    assert.ok(e instanceof dv.DeepVizError, `expected DeepVizError, got ${(e as Error).name}: ${(e as Error).message}`);
    assert.match((e as Error).message, pattern);
    assert.equal(tf.memory().numTensors, before, "an error must leave no tensor behind");
    return;
  }
  assert.fail(`expected a DeepVizError matching ${pattern}`);
}

describe("GraphModels: every public function, without leaks", () => {
  let net: Awaited<ReturnType<typeof tinyCnn>>;
  let img: tf.Tensor;
  before(async () => {
    await dv.backend();
    net = await tinyCnn();
    img = tf.randomUniform([6, 6, 2], -1, 1, "float32", 3);
  });
  after(() => {
    net.model.dispose();
    net.builder.dispose();
    img.dispose();
  });

  const runs: Array<[string, (m: dv.Model, x: tf.Tensor) => Promise<{ dispose(): void } | Array<{ dispose(): void }>>]> = [
    ["saliency", (m, x) => dv.saliency(m, x)],
    ["inputXGradient", (m, x) => dv.inputXGradient(m, x)],
    ["integratedGradients", (m, x) => dv.integratedGradients(m, x, { steps: 8 })],
    ["smoothGrad", (m, x) => dv.smoothGrad(m, x, { samples: 3 })],
    ["occlusion", (m, x) => dv.occlusion(m, x, { window: 3, stride: 3 })],
    ["guidedBackprop", (m, x) => dv.guidedBackprop(m, x)],
    ["deconvnet", (m, x) => dv.deconvnet(m, x)],
    ["gradCam", (m, x) => dv.gradCam(m, x)],
    ["gradCamPlusPlus", (m, x) => dv.gradCamPlusPlus(m, x, { layer: "conv1" })],
    ["guidedGradCam", (m, x) => dv.guidedGradCam(m, x)],
    ["scoreCam", (m, x) => dv.scoreCam(m, x, { layer: "conv2" })],
    ["hiResCam", (m, x) => dv.hiResCam(m, x)],
    ["layerCam", (m, x) => dv.layerCam(m, x, { layer: "conv1" })],
    ["xGradCam", (m, x) => dv.xGradCam(m, x)],
    ["eigenCam", (m, x) => dv.eigenCam(m, x, { layer: "conv2" })],
    ["ablationCam", (m, x) => dv.ablationCam(m, x, { layer: "conv2" })],
    ["integratedGradients with a tolerance", (m, x) => dv.integratedGradients(m, x, { tolerance: 0.05, maxSteps: 64 })],
    [
      "metrics.deletion",
      async (m, x) => {
        const a = await dv.saliency(m, x);
        await dv.metrics.deletion(m, x, a, { steps: 4 });
        return a;
      },
    ],
    ["layerActivation", (m, x) => dv.layerActivation(m, x, { layer: "gap" })],
    ["layerGradients", (m, x) => dv.layerGradients(m, x, { layers: ["conv1", "relu"] })],
    ["neuronGradient", (m, x) => dv.neuronGradient(m, x, { layer: "dw", channel: 1, relu: "guided" })],
  ];
  for (const [name, run] of runs) {
    it(`${name} works and leaves no tensor behind`, async () => {
      const before = tf.memory().numTensors;
      const out = await run(net.model, img);
      const list = Array.isArray(out) ? out : [out];
      for (const a of list) a.dispose();
      assert.equal(tf.memory().numTensors, before);
    });
  }

  it("forward, listLayers and resolveLayer leave nothing but what they return", () => {
    const before = tf.memory().numTensors;
    const pass = dv.forward(net.model, tf.expandDims(img, 0), { capture: ["conv1"] });
    tf.dispose([pass.output, ...pass.activations.values()]);
    dv.listLayers(net.model);
    dv.resolveLayer(net.model, "lastConv");
    // the expandDims above is the only tensor left
    assert.equal(tf.memory().numTensors, before + 1);
  });

  it("bad input: shapes, layers and targets are DeepVizErrors that leave nothing behind", async () => {
    const wrong = tf.zeros([6, 6, 3]);
    await rejects(() => dv.saliency(net.model, wrong), /axis 2 \(channels\) should be 2/);
    wrong.dispose();
    await rejects(() => dv.saliency(net.model, img, { target: 3 }), /out of range: the model has 3 outputs/);
    await rejects(() => dv.layerActivation(net.model, img, { layer: "conv" }), /no node named "conv".*Closest: .*conv1/);
    await rejects(() => dv.neuronGradient(net.model, img, { layer: "gap", channel: 9 }), /channel 9 is out of range/);
    await rejects(() => dv.sanityCheck(net.model, img, { layers: ["gap"] }), /"gap" has no weights to randomize/);
    await rejects(() => dv.forward(net.model, img, { startAt: { layer: "probs", value: img } }), /not on the path/);
  });
});

describe("GraphModels: outputs and loading", () => {
  before(async () => {
    await dv.backend();
  });

  it("a model with several outputs asks which one; selectOutput by name or index explains that one", async () => {
    const det = await tinyDetector();
    const x = tf.randomUniform([8, 8, 3], 0, 1, "float32", 5);
    await rejects(() => dv.saliency(det.model, x), /2 outputs \(0: heat, 1: box\); choose the one/);
    const byName = dv.selectOutput(det.model, "box");
    const byIndex = dv.selectOutput(det.model, 1);
    const boxScore = (out: tf.Tensor) => tf.sum(tf.reshape(out, [out.shape[0], -1]), 1);
    const a = await dv.saliency(byName, x, { target: boxScore, abs: false });
    const b = await dv.saliency(byIndex, x, { target: boxScore, abs: false });
    const ref = tf.tidy(() =>
      tf
        .grad((xx: tf.Tensor) => tf.sum(det.model.execute(xx, "box") as tf.Tensor))(x.expandDims(0))
        .squeeze([0]),
    );
    close(a.values.dataSync(), ref.dataSync(), 1e-5);
    close(b.values.dataSync(), ref.dataSync(), 1e-5);
    // the heatmap output: scores are the logits before the Sigmoid
    const heat = dv.selectOutput(det.model, "heat");
    const logits = tf.tidy(() => dv.forward(heat, x.expandDims(0)).output);
    close(
      logits.dataSync(),
      tf.tidy(() => (det.model.execute(x.expandDims(0), "heat_logits") as tf.Tensor).dataSync()),
      1e-5,
    );
    assert.throws(() => dv.selectOutput(det.model, 2), /output index 2 is out of range/);
    tf.dispose([x, ref, logits]);
    a.dispose();
    b.dispose();
    det.model.dispose();
    det.builder.dispose();
  });

  it("dv.loadModel takes a graph-model folder, model.json, artifacts or a GraphModel, with an output choice", async () => {
    const det = await tinyDetector();
    let saved!: tf.io.ModelArtifacts;
    // what tfjs writes for a GraphModel is what tensorflowjs_converter writes
    await det.model.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), "dv-graph-"));
    writeFileSync(join(dir, "weights.bin"), Buffer.from(saved.weightData as ArrayBuffer));
    writeFileSync(
      join(dir, "model.json"),
      JSON.stringify({
        format: "graph-model",
        modelTopology: saved.modelTopology,
        signature: saved.signature,
        weightsManifest: [{ paths: ["weights.bin"], weights: saved.weightSpecs }],
      }),
    );
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, "float32", 6);
    const expected = tf.tidy(() => (det.model.execute(x, "box") as tf.Tensor).dataSync());
    for (const source of [dir, join(dir, "model.json"), `file://${join(dir, "model.json")}`, saved, det.model]) {
      const m = await dv.loadModel(source, { output: "box" });
      assert.ok(dv.isGraphModel(m));
      close(
        tf.tidy(() => dv.forward(m, x).output.dataSync()),
        expected,
        1e-5,
      );
    }
    // over http(s): a local server stands in for a model host
    const server = createServer((req, res) => {
      try {
        res.end(readFileSync(join(dir, (req.url ?? "/").slice(1))));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.json`;
      const m = await dv.loadModel(url, { output: 1 });
      close(
        tf.tidy(() => dv.forward(m, x).output.dataSync()),
        expected,
        1e-5,
      );
      m.dispose();
    } finally {
      server.close();
    }
    await rejects(() => dv.loadModel(dir, { output: "nope" }), /no node named "nope"/);
    tf.dispose(x);
    det.model.dispose();
    det.builder.dispose();
  });
});
