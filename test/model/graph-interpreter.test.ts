import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close } from "../helpers/models";
import { attr, GraphBuilder, referenceRules, tinyCnn, tinyCnnReference } from "./graph-fixtures";

const maxAbs = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const plus0 = (a: ArrayLike<number>) => Array.from(a, (v) => v + 0); // -0 and 0 are the same gradient
const ops = (m: tf.GraphModel) =>
  Object.values((m as unknown as { executor: { graph: { nodes: Record<string, { op: string }> } } }).executor.graph.nodes)
    .map((n) => n.op)
    .join(",");

describe("GraphModels: the node-by-node interpreter", () => {
  let net: Awaited<ReturnType<typeof tinyCnn>>;
  let x: tf.Tensor;
  const mask = () => tf.oneHot([2, 0], 3);
  before(async () => {
    await dv.backend();
    net = await tinyCnn();
    x = tf.mul(tf.randomUniform([2, 6, 6, 2], -1, 1, "float32", 7), 2);
  });
  after(() => {
    net.model.dispose();
    net.builder.dispose();
    x.dispose();
  });

  it("reproduces model.execute: pre-softmax scores by default, the output with logits: false", () => {
    tf.tidy(() => {
      close(dv.forward(net.model, x).output.dataSync(), (net.model.execute(x, "logits_b") as tf.Tensor).dataSync(), 1e-5);
      close(dv.forward(net.model, x, { logits: false }).output.dataSync(), (net.model.predict(x) as tf.Tensor).dataSync(), 1e-6);
      const ref = tinyCnnReference(net.weights, x, referenceRules("normal"));
      close(dv.forward(net.model, x).output.dataSync(), ref.dataSync(), 1e-4);
    });
  });

  it("saliency equals tf.grad of the unmodified model", async () => {
    const plain = tf.tidy(() =>
      tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(net.model.execute(xx, "logits_b") as tf.Tensor, mask())))(x),
    );
    const ours = await dv.saliency(net.model, x, { target: [2, 0], abs: false });
    assert.ok(maxAbs(plain) > 1e-3);
    assert.ok(maxDiff(ours.values, plain) < 1e-5 * maxAbs(plain) + 1e-7, `diff ${maxDiff(ours.values, plain)}`);
    tf.dispose([plain]);
    ours.dispose();
  });

  for (const kind of ["guided", "deconvnet"] as const) {
    it(`${kind} equals a reference implementation of the rule at every ReLU, fused ones and ReLU6 included`, async () => {
      // class 1 for both rows: with these weights its deconvnet signal survives every ReLU
      const m = () => tf.oneHot([1, 1], 3);
      const ref = tf.tidy(() =>
        tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tinyCnnReference(net.weights, xx, referenceRules(kind)), m())))(x),
      );
      const plain = tf.tidy(() =>
        tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tinyCnnReference(net.weights, xx, referenceRules("normal")), m())))(x),
      );
      const ours = await (kind === "guided" ? dv.guidedBackprop : dv.deconvnet)(net.model, x, { target: 1 });
      const [size, diff, change] = [maxAbs(ref), maxDiff(ours.values, ref), maxDiff(ref, plain)];
      assert.ok(size > 1e-3, `reference ${size}`);
      assert.ok(diff < 1e-4 * size, `diff ${diff} of ${size}`);
      assert.ok(change > 0.05 * size, `the rule must change the gradient here: ${change} of ${size}`);
      tf.dispose([ref, plain]);
      ours.dispose();
    });
  }

  it("puts every node back: the model computes as before and its ops are the original ones", async () => {
    const before = ops(net.model);
    const y0 = tf.tidy(() => (net.model.predict(x) as tf.Tensor).dataSync());
    (await dv.guidedBackprop(net.model, x)).dispose();
    assert.equal(ops(net.model), before);
    close(
      tf.tidy(() => (net.model.predict(x) as tf.Tensor).dataSync()),
      y0,
      0,
    );
  });

  it("leaves nothing global changed: after guided backprop, tf.relu's gradient and another model's saliency are the true ones", async () => {
    (await dv.deconvnet(net.model, x, { target: 1 })).dispose();
    const g = tf.tidy(() =>
      Array.from(
        tf
          .grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), tf.tensor1d([2, -3, 1]))))(tf.tensor1d([1, 2, -1]))
          .dataSync(),
      ),
    );
    assert.deepEqual(g, [2, -3, 0]);
    const other = await tinyCnn({ batch: 1 });
    const one = tf.slice(x, 0, 1);
    const plain = tf.tidy(() =>
      tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(other.model.execute(xx, "logits_b") as tf.Tensor, tf.oneHot([1], 3))))(one),
    );
    const ours = await dv.saliency(other.model, one, { target: 1, abs: false });
    assert.ok(maxDiff(ours.values, plain) < 1e-5 * maxAbs(plain));
    tf.dispose([one, plain]);
    ours.dispose();
    other.model.dispose();
    other.builder.dispose();
  });

  it("Grad-CAM at an inner node equals the hand formula from the captured activation and the gradient w.r.t. the fed node", async () => {
    const node = "relu6";
    const expected = tf.tidy(() => {
      const A = net.model.execute(x, node) as tf.Tensor;
      const g = tf.grad((a: tf.Tensor) =>
        tf.sum(tf.mul(net.model.execute({ image: x, [node]: a }, "logits_b") as tf.Tensor, mask())),
      )(A);
      const w = tf.mean(g, [1, 2], true);
      return tf.sum(tf.mul(A, w), -1);
    });
    const ours = await dv.gradCam(net.model, x, { layer: node, target: [2, 0], upsample: false, relu: false });
    assert.deepEqual(ours.values.shape, [2, 6, 6]);
    assert.ok(maxAbs(expected) > 0);
    assert.ok(maxDiff(ours.values, expected) < 1e-5 * maxAbs(expected) + 1e-7);
    expected.dispose();
    ours.dispose();
  });

  it("layerActivation equals execute(x, node); lastConv is the last spatial conv node", async () => {
    const a = await dv.layerActivation(net.model, x, { layer: "dw" });
    const e = net.model.execute(x, "dw") as tf.Tensor;
    close(a.values.dataSync(), e.dataSync(), 1e-5); // unfused conv + bias vs the fused kernel: rounding only
    assert.equal(dv.resolveLayer(net.model, "lastConv").name, "dw");
    a.dispose();
    e.dispose();
  });

  it("integrated gradients are complete: the attributions sum to f(x) − f(baseline)", async () => {
    const one = tf.slice(x, 0, 1).squeeze([0]);
    const ig = await dv.integratedGradients(net.model, one, { target: 1, steps: 64 });
    const f = (t: tf.Tensor) => tf.tidy(() => (net.model.execute(t.expandDims(0), "logits_b") as tf.Tensor).dataSync()[1]);
    const zero = tf.zerosLike(one);
    const gap = f(one) - f(zero);
    const total = tf.tidy(() => tf.sum(ig.values).dataSync()[0]);
    assert.ok(Math.abs(gap) > 0.05);
    assert.ok(Math.abs(total - gap) < 0.01 * Math.abs(gap) + 1e-4, `sum ${total} vs ${gap}`);
    tf.dispose([one, zero]);
    ig.dispose();
  });

  it("lists nodes with op, shape and conv-like marks", () => {
    const layers = dv.listLayers(net.model);
    const byName = new Map(layers.map((l) => [l.name, l]));
    assert.deepEqual(byName.get("conv1")!.outputShape, [null, 6, 6, 3]);
    assert.equal(byName.get("conv1")!.className, "_FusedConv2D");
    assert.equal(byName.get("conv1")!.activation, "relu");
    assert.equal(byName.get("conv1")!.params, 3 * 3 * 2 * 3 + 3);
    assert.deepEqual(
      layers.filter((l) => l.convLike).map((l) => l.name),
      ["conv1", "conv2", "dw"],
    );
    assert.ok(!byName.has("k1") && !byName.has("image"), "weights and inputs are not layers");
    assert.ok(layers.findIndex((l) => l.name === "conv1") < layers.findIndex((l) => l.name === "gap"));
  });

  it("unknown node names are DeepVizErrors listing close matches", async () => {
    await assert.rejects(
      () => dv.gradCam(net.model, x, { layer: "relu_6" }),
      (e: Error) => e instanceof dv.DeepVizError && /Closest: .*relu6/.test(e.message),
    );
    assert.throws(() => dv.resolveLayer(net.model, "k1"), dv.DeepVizError);
  });

  it("a graph traced for batch 1 runs a batch one row at a time", async () => {
    const one = await tinyCnn({ batch: 1 });
    const a = await dv.saliency(one.model, x, { target: [2, 0], abs: false });
    const b = await dv.saliency(net.model, x, { target: [2, 0], abs: false });
    assert.ok(maxDiff(a.values, b.values) < 1e-6);
    a.dispose();
    b.dispose();
    one.model.dispose();
    one.builder.dispose();
  });
});

describe("GraphModels: ReLU6 and the activations that are not ReLUs", () => {
  before(async () => {
    await dv.backend();
  });
  // x → Relu6 (or another activation) → · v → sum: the gradient is v·act'(x), hand-derivable
  const xs = [-2, -0.5, 0.5, 2.5, 5.5, 6.5, 8, 1];
  const v = [1, -1, 2, -3, 1.5, 1, -2, -1];
  async function oneActivation(op: string, attrs: Record<string, unknown> = {}, extra: string[] = []) {
    const g = new GraphBuilder();
    g.input("x", [-1, 8]);
    const inputs = [
      "x",
      ...extra.map((n) => {
        g.constant(n, [0.25], [1]);
        return n;
      }),
    ];
    g.op("act", op, inputs, attrs);
    g.op("score", "MatMul", ["act", g.constant("v", v, [8, 1])], {
      transpose_a: attr.bool(false),
      transpose_b: attr.bool(false),
    });
    const model = await g.build();
    g.dispose();
    return model;
  }
  const input = () => tf.tensor2d([xs]);

  it("ReLU6 guided backprop equals the rule (open where 0 < x < 6, positive gradient) and differs from the plain gradient", async () => {
    const model = await oneActivation("Relu6");
    const x = input();
    const guided = plus0((await dv.guidedBackprop(model, x, { target: 0 })).values.dataSync());
    const plain = plus0((await dv.saliency(model, x, { target: 0, abs: false })).values.dataSync());
    const deconv = plus0((await dv.deconvnet(model, x, { target: 0 })).values.dataSync());
    assert.deepEqual(
      guided,
      xs.map((xi, i) => (xi > 0 && xi < 6 && v[i] > 0 ? v[i] : 0)),
    );
    assert.deepEqual(
      plain,
      xs.map((xi, i) => (xi > 0 && xi < 6 ? v[i] : 0)),
    );
    assert.deepEqual(
      deconv,
      v.map((vi) => Math.max(vi, 0)),
    );
    assert.notDeepEqual(guided, plain);
    x.dispose();
    model.dispose();
  });

  it("LayersModels: ReLU6 layers and relu6 activations take the rule too (they kept the plain gradient before)", async () => {
    for (const build of [
      () => tf.layers.reLU({ maxValue: 6, inputShape: [8] }),
      () => tf.layers.activation({ activation: "relu6", inputShape: [8] }),
    ]) {
      const m = tf.sequential({ layers: [build(), tf.layers.dense({ units: 1, useBias: false, kernelInitializer: "zeros" })] });
      m.layers[1].setWeights([tf.tensor2d(v, [8, 1])]);
      const x = input();
      const guided = plus0((await dv.guidedBackprop(m, x, { target: 0 })).values.dataSync());
      assert.deepEqual(
        guided,
        xs.map((xi, i) => (xi > 0 && xi < 6 && v[i] > 0 ? v[i] : 0)),
      );
      x.dispose();
      m.dispose();
    }
  });

  for (const [op, attrs, extra, derivative] of [
    ["LeakyRelu", { alpha: attr.float(0.1) }, [], (x: number) => (x > 0 ? 1 : 0.1)],
    ["Elu", {}, [], (x: number) => (x > 0 ? 1 : Math.exp(x))],
    ["Prelu", {}, ["alpha"], (x: number) => (x > 0 ? 1 : 0.25)],
  ] as [string, Record<string, unknown>, string[], (x: number) => number][]) {
    it(`${op} is not a ReLU: guided backprop and deconvnet leave its true gradient`, async () => {
      const model = await oneActivation(op, attrs, extra);
      const x = input();
      const expected = xs.map((xi, i) => v[i] * derivative(xi));
      for (const method of [
        dv.guidedBackprop,
        dv.deconvnet,
        (m: dv.Model, t: tf.Tensor, o: object) => dv.saliency(m, t, { ...o, abs: false }),
      ]) {
        const a = await method(model, x, { target: 0 });
        close(a.values.dataSync(), expected, 1e-5);
        a.dispose();
      }
      x.dispose();
      model.dispose();
    });
  }

  it("the ReLU6 inside a hard-swish keeps its true gradient (it is a smooth gate, not a ReLU of the network)", async () => {
    const g = new GraphBuilder();
    g.input("x", [-1, 8]);
    g.op("add", "AddV2", ["x", g.constant("three", [3], [])]);
    g.op("gate", "Relu6", ["add"]);
    g.op("mul", "Mul", ["x", "gate"]);
    g.op("hswish", "Mul", ["mul", g.constant("sixth", [1 / 6], [])]);
    g.op("score", "MatMul", ["hswish", g.constant("v", v, [8, 1])], {
      transpose_a: attr.bool(false),
      transpose_b: attr.bool(false),
    });
    const model = await g.build();
    g.dispose();
    const x = input();
    // d/dx [x·relu6(x+3)/6] = (relu6(x+3) + x·[−3 < x < 3]) / 6
    const expected = xs.map((xi, i) => (v[i] * (Math.min(Math.max(xi + 3, 0), 6) + (xi > -3 && xi < 3 ? xi : 0))) / 6);
    const a = await dv.guidedBackprop(model, x, { target: 0 });
    close(a.values.dataSync(), expected, 1e-5);
    a.dispose();
    x.dispose();
    model.dispose();
  });
});

describe("GraphModels: half-pixel bilinear resizes", () => {
  it("have their true gradient (tfjs's ResizeBilinearGrad ignores half-pixel centres): f(x + eᵢ) − f(x) = ∂f/∂xᵢ", async () => {
    await dv.backend();
    const g = new GraphBuilder();
    g.input("x", [-1, 3, 2, 2]);
    g.op("up", "ResizeBilinear", ["x", g.constant("size", [7, 5], [2], "int32")], {
      align_corners: attr.bool(false),
      half_pixel_centers: attr.bool(true),
    });
    g.op("Identity", "Identity", ["up"]);
    const model = await g.build();
    g.dispose();
    const x = tf.randomUniform([1, 3, 2, 2], -1, 1, "float32", 3);
    const w = tf.randomUniform([1, 7, 5, 2], -1, 1, "float32", 4);
    const f = (t: tf.Tensor) => tf.sum(tf.mul(t, w), [1, 2, 3]);
    const before = tf.memory().numTensors;
    const s = await dv.saliency(model, x, { target: f, abs: false });
    // the graph is linear: one step along each input coordinate gives that coordinate's gradient exactly
    const steps = tf.tidy(() => {
      const at = (t: tf.Tensor) => f(model.execute(t, "up") as tf.Tensor).dataSync()[0];
      const base = at(x);
      return Array.from({ length: 12 }, (_, i) => at(tf.add(x, tf.reshape(tf.oneHot(i, 12), x.shape))) - base);
    });
    close(await s.values.data(), steps, 1e-4, "gradient");
    // the forward values are tf.image.resizeBilinear's
    tf.tidy(() =>
      close(
        dv.forward(model, x, { logits: false }).output.dataSync(),
        tf.image.resizeBilinear(x as tf.Tensor4D, [7, 5], false, true).dataSync(),
        1e-6,
        "values",
      ),
    );
    s.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, w]);
    model.dispose();
  });
});
