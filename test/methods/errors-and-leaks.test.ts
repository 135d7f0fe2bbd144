import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { linearModel, smallCnn } from "../helpers/models";
import { rejects } from "../metrics/helpers";

describe("bad input gives a DeepVizError that says what to do", () => {
  const cnn = smallCnn();
  const img = () => tf.randomUniform([8, 8, 3]);

  it("wrong rank and wrong channel count name the expected shape", async () => {
    await rejects(dv.saliency(cnn, tf.zeros([8, 8])), /expects one example of shape \[8, 8, 3\]/);
    await rejects(dv.saliency(cnn, tf.zeros([8, 8, 1])), /axis 2 \(channels\) should be 3/);
    await rejects(dv.saliency(cnn, tf.zeros([1, 2, 8, 8, 3])), /or a batch of shape \[any, 8, 8, 3\]/);
  });
  it("NaN or Infinity in the input", async () => {
    await rejects(dv.saliency(cnn, tf.fill([8, 8, 3], NaN)), /NaN or Infinity/);
    await rejects(dv.integratedGradients(linearModel(), tf.tensor1d([1, Infinity, 0, 0])), /NaN or Infinity/);
  });
  it("target out of range, or the wrong number of targets", async () => {
    await rejects(dv.saliency(cnn, img(), { target: 3 }), /out of range: the model has 3 outputs \(0..2\)/);
    await rejects(dv.saliency(cnn, img(), { target: -1 }), /out of range/);
    await rejects(dv.saliency(cnn, tf.zeros([2, 8, 8, 3]), { target: [0] }), /1 class indices but the batch has 2/);
    await rejects(dv.saliency(cnn, img(), { target: () => tf.zeros([5]) }), /one score per batch item/);
  });
  it("an unknown layer lists the layer names", async () => {
    await rejects(
      dv.layerActivation(cnn, img(), { layer: "conv9" }),
      /no layer named "conv9". Layers: conv1, pool1, conv2, gap, probs/,
    );
    await rejects(dv.neuronGradient(cnn, img(), { layer: 99 }), /index 99 is out of range: the model has 5 layers/);
    await rejects(
      dv.neuronGradient(cnn, img(), { layer: "conv1", channel: 4 }),
      /channel 4 is out of range: layer conv1 has 4 channels/,
    );
    await rejects(
      dv.neuronGradient(cnn, img(), { layer: "conv1", position: [8, 0] }),
      /outside layer conv1's spatial shape \[8, 8\]/,
    );
  });
  it("something that is not a LayersModel", async () => {
    await rejects(dv.saliency({} as tf.LayersModel, img()), /must be a tf.LayersModel/);
    await rejects(dv.saliency(null as unknown as tf.LayersModel, img()), /got null/);
    await rejects(dv.saliency(cnn, [1, 2, 3] as unknown as tf.Tensor), /must be a tf.Tensor; got an array/);
  });
  it("steps, samples, windows and other counts must be positive", async () => {
    await rejects(dv.integratedGradients(cnn, img(), { steps: 0 }), /steps must be a positive integer; got 0/);
    await rejects(dv.integratedGradients(cnn, img(), { steps: 2.5 }), /steps must be a positive integer/);
    await rejects(dv.integratedGradients(cnn, img(), { method: "simpson" as "gausslegendre" }), /unknown integration method/);
    await rejects(dv.smoothGrad(cnn, img(), { samples: -1 }), /samples must be a positive integer; got -1/);
    await rejects(dv.smoothGrad(cnn, img(), { kind: "mean" as "smoothgrad" }), /unknown SmoothGrad kind/);
    await rejects(dv.occlusion(cnn, img(), { window: 0 }), /positive integers/);
    await rejects(dv.occlusion(cnn, img(), { window: 2, stride: 3 }), /stride 3 exceeds window 2/);
    await rejects(dv.occlusion(cnn, img(), {} as dv.OcclusionOptions), /needs a window/);
    await rejects(dv.integratedGradients(cnn, img(), { baseline: tf.zeros([4, 4, 3]) }), /baseline has shape \[4, 4, 3\]/);
  });
});

describe("no public function leaks tensors", () => {
  const cnn = smallCnn();
  const zeroBaseline = tf.zeros([8, 8, 3]);
  type Call = [string, (x: tf.Tensor) => Promise<dv.Attribution | dv.Attribution[]>];
  const calls: Call[] = [
    ["saliency", (x) => dv.saliency(cnn, x)],
    ["inputXGradient", (x) => dv.inputXGradient(cnn, x, { target: 1 })],
    ["integratedGradients", (x) => dv.integratedGradients(cnn, x, { steps: 5, batchSize: 2 })],
    ["integratedGradients baseline tensor", (x) => dv.integratedGradients(cnn, x, { steps: 3, baseline: zeroBaseline })],
    ["smoothGrad", (x) => dv.smoothGrad(cnn, x, { samples: 3, batchSize: 2 })],
    [
      "smoothGrad vargrad of IG",
      (x) => dv.smoothGrad(cnn, x, { samples: 2, kind: "vargrad", method: dv.integratedGradients, methodOptions: { steps: 3 } }),
    ],
    ["occlusion", (x) => dv.occlusion(cnn, x, { window: 4, stride: 2 })],
    ["layerActivation", (x) => dv.layerActivation(cnn, x, { layer: "conv2" })],
    ["layerGradients", (x) => dv.layerGradients(cnn, x)],
    ["layerGradients loss", (x) => dv.layerGradients(cnn, x, { of: "loss", layers: ["conv1", "gap"] })],
    ["neuronGradient", (x) => dv.neuronGradient(cnn, x, { layer: "conv1", channel: 2, position: [3, 3] })],
  ];
  for (const batched of [false, true]) {
    for (const [name, call] of calls) {
      it(`${name} (${batched ? "batch" : "one example"})`, async () => {
        await dv.backend();
        const x = batched ? tf.randomUniform([2, 8, 8, 3], 0, 1, "float32", 1) : tf.randomUniform([8, 8, 3], 0, 1, "float32", 1);
        const before = tf.memory().numTensors;
        const result = await call(x);
        const list = Array.isArray(result) ? result : [result];
        // each Attribution holds its values and its own copy of the input
        assert.equal(tf.memory().numTensors, before + 2 * list.length, `${name} left tensors behind`);
        for (const a of list) assert.deepEqual(a.input.shape, x.shape);
        list.forEach((a) => a.dispose());
        assert.equal(tf.memory().numTensors, before);
        x.dispose();
      });
    }
  }
  it("errors leave nothing behind either", async () => {
    const x = tf.randomUniform([8, 8, 3]);
    const before = tf.memory().numTensors;
    await dv.saliency(cnn, x, { target: 9 }).catch(() => undefined);
    await dv.occlusion(cnn, x, { window: 2, stride: 3 }).catch(() => undefined);
    await dv.layerActivation(cnn, x, { layer: "nope" }).catch(() => undefined);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });
  it("listLayers describes every layer", () => {
    const layers = dv.listLayers(cnn);
    assert.deepEqual(
      layers.map((l) => l.name),
      ["conv1", "pool1", "conv2", "gap", "probs"],
    );
    assert.deepEqual(layers[0].outputShape, [null, 8, 8, 4]);
    assert.equal(layers[0].params, 3 * 3 * 3 * 4 + 4);
    assert.equal(layers[0].activation, "relu");
    assert.equal(dv.resolveLayer(cnn, "lastConv").name, "conv2");
    assert.equal(dv.resolveLayer(cnn, -1).name, "probs");
  });
});
