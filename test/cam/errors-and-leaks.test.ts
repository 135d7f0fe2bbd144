import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { convModel, linearModel, smallCnn } from "../helpers/models";
import { tinyGapModel } from "./models";

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof dv.DeepVizError, `expected DeepVizError, got ${(e as Error).name}: ${(e as Error).message}`);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.fail(`expected a DeepVizError matching ${pattern}`);
}

describe("CAM methods: mistakes give a DeepVizError", () => {
  const cnn = smallCnn();
  const img = tf.randomUniform([8, 8, 3], 0, 1, "float32", 2);
  before(async () => {
    await dv.backend();
  });

  it("a layer without spatial axes", async () => {
    for (const method of [dv.gradCam, dv.gradCamPlusPlus, dv.scoreCam, dv.guidedGradCam]) {
      await rejects(method(cnn, img, { layer: "gap" }), /layer gap has output shape \[batch, 6\] with no spatial axes/);
    }
    await rejects(dv.gradCam(cnn, img, { layer: ["conv2", "probs"] }), /layer probs .* no spatial axes/);
    await rejects(dv.gradCam(linearModel(), tf.zeros([4])), /no layer with spatial axes/);
  });
  it("cam on a model without global average pooling + dense", async () => {
    await rejects(
      dv.cam(convModel(), tf.zeros([3, 3, 1])),
      /ends in GlobalAveragePooling2D → Dense .* reads Flatten "flat". Use dv.gradCam/,
    );
    await rejects(dv.cam(linearModel(), tf.zeros([4])), /reads InputLayer/);
    const sigmoid = tf.sequential();
    sigmoid.add(tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 2 }));
    sigmoid.add(tf.layers.globalAveragePooling2d({}));
    sigmoid.add(tf.layers.dense({ units: 1, activation: "sigmoid", name: "p" }));
    await rejects(dv.cam(sigmoid, tf.zeros([4, 4, 1])), /dense layer "p" has activation sigmoid/);
    const max = tf.sequential();
    max.add(tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 2 }));
    max.add(tf.layers.globalMaxPooling2d({ name: "gmp" }));
    max.add(tf.layers.dense({ units: 2, name: "d" }));
    await rejects(dv.cam(max, tf.zeros([4, 4, 1])), /reads GlobalMaxPooling2D "gmp"/);
    await rejects(
      dv.cam(cnn, img, { layer: "conv1" }),
      /CAM reads the layer that the global average pooling pools, "conv2"; for layer "conv1" use dv.gradCam/,
    );
  });
  it("an unknown upsample mode, or none where one is needed", async () => {
    const bad = { upsample: "bicubic" as "bilinear" };
    for (const method of [dv.gradCam, dv.gradCamPlusPlus, dv.scoreCam, dv.guidedGradCam, dv.cam]) {
      await rejects(method(cnn, img, bad), /unknown upsample mode "bicubic"; use "bilinear" \(default\), "nearest", or false/);
    }
    await rejects(
      dv.guidedGradCam(cnn, img, { upsample: false as unknown as "nearest" }),
      /needs upsample "bilinear" or "nearest", not false/,
    );
    await rejects(
      dv.gradCam(cnn, img, { layer: ["conv1", "conv2"], upsample: false }),
      /maps of different sizes \(\[8, 8\] and \[4, 4\]\)/,
    );
  });
  it("Score-CAM options", async () => {
    await rejects(dv.scoreCam(cnn, img, { weights: "mean" as "softmax" }), /unknown Score-CAM weights "mean"/);
    await rejects(dv.scoreCam(cnn, img, { batchSize: 0 }), /batchSize must be a positive integer/);
  });
});

describe("CAM methods leak no tensors", () => {
  const cnn = smallCnn();
  type Call = [string, (x: tf.Tensor) => Promise<dv.Attribution>];
  const calls: Call[] = [
    ["guidedBackprop", (x) => dv.guidedBackprop(cnn, x)],
    ["deconvnet", (x) => dv.deconvnet(cnn, x, { target: 1 })],
    ["gradCam", (x) => dv.gradCam(cnn, x)],
    ["gradCam two layers nearest", (x) => dv.gradCam(cnn, x, { layer: ["conv1", "conv2"], upsample: "nearest" })],
    ["gradCam function target", (x) => dv.gradCam(cnn, x, { target: (o) => tf.sum(o, 1), upsample: false })],
    ["gradCamPlusPlus", (x) => dv.gradCamPlusPlus(cnn, x, { relu: false })],
    ["guidedGradCam", (x) => dv.guidedGradCam(cnn, x, { layer: "conv1" })],
    ["cam", (x) => dv.cam(cnn, x)],
    ["scoreCam", (x) => dv.scoreCam(cnn, x, { batchSize: 4 })],
    ["scoreCam difference", (x) => dv.scoreCam(cnn, x, { weights: "difference", upsample: false })],
  ];
  for (const batched of [false, true]) {
    for (const [name, call] of calls) {
      it(`${name} (${batched ? "batch" : "one example"})`, async () => {
        await dv.backend();
        const x = tf.randomUniform(batched ? [2, 8, 8, 3] : [8, 8, 3], 0, 1, "float32", 4);
        const before = tf.memory().numTensors;
        const a = await call(x);
        assert.equal(tf.memory().numTensors, before + 2, `${name} left tensors behind`);
        assert.ok(Array.from(await a.values.data()).every(Number.isFinite), `${name} has NaN`);
        a.dispose();
        assert.equal(tf.memory().numTensors, before);
        x.dispose();
      });
    }
  }
  it("errors leave nothing behind", async () => {
    const x = tf.randomUniform([8, 8, 3]);
    const tiny = tinyGapModel();
    const flat = convModel();
    const before = tf.memory().numTensors;
    await dv.gradCam(cnn, x, { layer: "gap" }).catch(() => undefined);
    await dv.gradCam(cnn, x, { layer: ["conv1", "conv2"], upsample: false }).catch(() => undefined);
    await dv.scoreCam(cnn, x, { upsample: "x" as "nearest" }).catch(() => undefined);
    await dv.cam(tiny, x).catch(() => undefined); // wrong input shape
    await dv.cam(flat, x).catch(() => undefined);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });
});
