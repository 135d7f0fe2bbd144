import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { useBackend } from "../../src/backend";
import { attr, conv, GraphBuilder, seeded } from "./graph-fixtures";

/**
 * An ONNX-style graph: input [-1, 6, 6, 2] (NHWC) → "to_nchw" Transpose → "conv_nchw" Conv2D with
 * data_format NCHW, 3 filters → "relu_nchw" Relu → "to_nhwc" Transpose → "relu" Relu (channels-last
 * again) → "gap" Mean over [1, 2] → "logits" MatMul 2 classes.
 */
async function channelsFirstNet() {
  const g = new GraphBuilder();
  g.input("image", [-1, 6, 6, 2]);
  g.op("to_nchw", "Transpose", ["image", g.constant("perm_in", [0, 3, 1, 2], [4], "int32")], { Tperm: { type: "DT_INT32" } });
  const nchw = { ...conv, strides: attr.ints([1, 1, 1, 1]), data_format: attr.str("NCHW"), explicit_paddings: attr.ints([]) };
  g.op("conv_nchw", "Conv2D", ["to_nchw", g.constant("k", seeded(3 * 3 * 2 * 3, 21), [3, 3, 2, 3])], nchw);
  g.op("relu_nchw", "Relu", ["conv_nchw"]);
  g.op("to_nhwc", "Transpose", ["relu_nchw", g.constant("perm_out", [0, 2, 3, 1], [4], "int32")], {
    Tperm: { type: "DT_INT32" },
  });
  g.op("relu", "Relu", ["to_nhwc"]);
  g.op("gap", "Mean", ["relu", g.constant("axes", [1, 2], [2], "int32")], {
    keep_dims: attr.bool(false),
    Tidx: { type: "DT_INT32" },
  });
  g.op("logits", "MatMul", ["gap", g.constant("w", seeded(3 * 2, 22), [3, 2])], {
    transpose_a: attr.bool(false),
    transpose_b: attr.bool(false),
  });
  const model = await g.build();
  g.dispose();
  return model;
}

describe("GraphModels: channels-first layers and the CAM methods", () => {
  let model: tf.GraphModel;
  let x: tf.Tensor;
  let previous: Awaited<ReturnType<typeof useBackend>>;
  before(async () => {
    // tfjs's cpu backend runs NCHW convolutions (wasm refuses them outright, so there maps cannot go wrong)
    previous = await useBackend("cpu");
    model = await channelsFirstNet();
    x = tf.randomUniform([6, 6, 2], -1, 1, "float32", 3);
  });
  after(async () => {
    model.dispose();
    x.dispose();
    await useBackend(previous);
  });

  const camMethods: [string, (m: dv.Model, t: tf.Tensor, o: object) => Promise<dv.Attribution>][] = [
    ["gradCam", dv.gradCam],
    ["gradCamPlusPlus", dv.gradCamPlusPlus],
    ["scoreCam", dv.scoreCam],
    ["eigenCam", dv.eigenCam],
    ["ablationCam", dv.ablationCam],
    ["hiResCam", dv.hiResCam],
    ["guidedGradCam", dv.guidedGradCam],
  ];
  for (const [name, method] of camMethods) {
    for (const layer of ["conv_nchw", "relu_nchw", "lastConv"]) {
      it(`${name} at ${layer} fails with a DeepVizError naming the NCHW conv and what to do, leaking nothing`, async () => {
        const before = tf.memory().numTensors;
        await assert.rejects(
          () => method(model, x, { layer, target: 0 }),
          (e: Error) =>
            e instanceof dv.DeepVizError &&
            /"conv_nchw" \(Conv2D\) computes channels-first \(data_format NCHW\)/.test(e.message) &&
            /channels-last \(NHWC\) layer/.test(e.message),
        );
        assert.equal(tf.memory().numTensors, before);
      });
    }
  }

  it("a channels-last node after the Transpose back still works, and its map is the hand formula", async () => {
    const expected = tf.tidy(() => {
      const xb = x.expandDims(0);
      const A = model.execute(xb, "relu") as tf.Tensor;
      const g = tf.grad((a: tf.Tensor) =>
        tf.sum(tf.slice(model.execute({ image: xb, relu: a }, "logits") as tf.Tensor, [0, 0], [1, 1])),
      )(A);
      return tf.relu(tf.sum(tf.mul(A, tf.mean(g, [1, 2], true)), -1)).squeeze([0]);
    });
    const before = tf.memory().numTensors;
    const a = await dv.gradCam(model, x, { layer: "relu", target: 0, upsample: false });
    assert.deepEqual(a.values.shape, [6, 6]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a.values, expected))).dataSync()[0]);
    assert.ok(tf.tidy(() => tf.max(expected).dataSync()[0]) > 1e-3);
    assert.ok(diff < 1e-5, `diff ${diff}`);
    a.dispose();
    assert.equal(tf.memory().numTensors, before);
    expected.dispose();
  });

  it("a channels-first input ([C, H, W], C ≤ 4) is caught too, even without a data_format on the way", async () => {
    const g = new GraphBuilder();
    g.input("image", [-1, 3, 8, 8]);
    g.op("relu", "Relu", ["image"]);
    g.op("scores", "Sum", ["relu", g.constant("axes", [2, 3], [2], "int32")], {
      keep_dims: attr.bool(false),
      Tidx: { type: "DT_INT32" },
    });
    const chw = await g.build();
    g.dispose();
    const input = tf.ones([3, 8, 8]);
    await assert.rejects(
      () => dv.gradCam(chw, input, { layer: "relu", target: 0 }),
      (e: Error) => e instanceof dv.DeepVizError && /input \[3, 8, 8\] is channels-first/.test(e.message),
    );
    input.dispose();
    chw.dispose();
  });

  it("after a Transpose, a node shaped [C, H, H] with C ≠ H reads as channels-first; the NHWC node before it is fine", async () => {
    const g = new GraphBuilder();
    g.input("image", [-1, 6, 6, 2]);
    g.op("relu_in", "Relu", ["image"]);
    g.op("to_nchw", "Transpose", ["relu_in", g.constant("perm", [0, 3, 1, 2], [4], "int32")], { Tperm: { type: "DT_INT32" } });
    g.op("relu", "Relu", ["to_nchw"]);
    g.op("scores", "Sum", ["relu", g.constant("axes", [2, 3], [2], "int32")], {
      keep_dims: attr.bool(false),
      Tidx: { type: "DT_INT32" },
    });
    const m = await g.build();
    g.dispose();
    const n = tf.memory().numTensors;
    await assert.rejects(
      () => dv.gradCam(m, x, { layer: "relu", target: 0 }),
      (e: Error) =>
        e instanceof dv.DeepVizError && /node "relu" comes after a Transpose and has shape \[2, 6, 6\]/.test(e.message),
    );
    assert.equal(tf.memory().numTensors, n);
    const a = await dv.gradCam(m, x, { layer: "relu_in", target: 0, upsample: false });
    assert.deepEqual(a.values.shape, [6, 6]);
    a.dispose();
    m.dispose();
  });

  it("on wasm, where an NCHW convolution cannot run at all, the first call says so and what to switch to", async () => {
    await useBackend("wasm");
    try {
      const wasmModel = await channelsFirstNet();
      await assert.rejects(
        () => dv.saliency(wasmModel, x, { target: 0 }),
        (e: Error) =>
          e instanceof dv.DeepVizError &&
          /channels-first \(NCHW\) convolutions, which the wasm backend cannot run.*DEEPVIZ_BACKEND=cpu/.test(e.message),
      );
      wasmModel.dispose();
    } finally {
      await useBackend("cpu");
    }
  });

  it("LayersModels: a conv layer with dataFormat channelsFirst is refused the same way", async () => {
    const m = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [2, 6, 6], filters: 3, kernelSize: 3, padding: "same", dataFormat: "channelsFirst" }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const input = tf.ones([2, 6, 6]);
    const before = tf.memory().numTensors;
    await assert.rejects(
      () => dv.gradCam(m, input, { target: 0 }),
      (e: Error) => e instanceof dv.DeepVizError && /dataFormat "channelsFirst"/.test(e.message),
    );
    assert.equal(tf.memory().numTensors, before);
    input.dispose();
    m.dispose();
  });
});
