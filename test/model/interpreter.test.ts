import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close } from "../helpers/models";

/** A functional model with branches, a nested Sequential, batch norm, dropout and several conv kinds. */
function zooOfLayers(): tf.LayersModel {
  const seed = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const inner = tf.sequential({ name: "inner" });
  inner.add(
    tf.layers.conv2d({
      inputShape: [8, 8, 4],
      filters: 4,
      kernelSize: 3,
      padding: "same",
      activation: "relu",
      kernelInitializer: seed(1),
      name: "inner_conv",
    }),
  );
  inner.add(tf.layers.batchNormalization({ name: "inner_bn" }));
  const input = tf.input({ shape: [8, 8, 3] });
  const a = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: seed(2), name: "stem" })
    .apply(input) as tf.SymbolicTensor;
  const b = inner.apply(a) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: "residual" }).apply([a, b]) as tf.SymbolicTensor;
  const dw = tf.layers
    .depthwiseConv2d({ kernelSize: 3, padding: "same", depthwiseInitializer: seed(3), name: "depthwise" })
    .apply(sum) as tf.SymbolicTensor;
  const sep = tf.layers
    .separableConv2d({
      filters: 5,
      kernelSize: 3,
      strides: 2,
      activation: "relu",
      depthwiseInitializer: seed(4),
      pointwiseInitializer: seed(5),
      name: "separable",
    })
    .apply(dw) as tf.SymbolicTensor;
  const cat = tf.layers
    .concatenate({ name: "concat" })
    .apply([
      tf.layers.globalAveragePooling2d({ name: "gap" }).apply(sep) as tf.SymbolicTensor,
      tf.layers.globalMaxPooling2d({ name: "gmp" }).apply(sep) as tf.SymbolicTensor,
    ]) as tf.SymbolicTensor;
  const drop = tf.layers.dropout({ rate: 0.5, name: "drop" }).apply(cat) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 4, activation: "softmax", kernelInitializer: seed(6), name: "probs" })
    .apply(drop) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  // non-trivial batch-norm statistics
  const bn = inner.getLayer("inner_bn");
  bn.setWeights([tf.fill([4], 1.5), tf.fill([4], 0.1), tf.fill([4], 0.2), tf.fill([4], 2)]);
  return model;
}

describe("the interpreter", () => {
  const model = zooOfLayers();
  const x = tf.randomUniform([2, 8, 8, 3], 0, 1, "float32", 3);
  before(async () => {
    await dv.backend();
  });

  it("reproduces model.predict through branches, a nested model, batch norm, dropout and every conv kind", () => {
    const expected = tf.tidy(() => tf.log(model.predict(x) as tf.Tensor)); // log-softmax of the logits
    const logits = tf.tidy(() => tf.logSoftmax(dv.forward(model, x).output));
    close(logits.dataSync(), expected.dataSync(), 1e-4);
    const probs = tf.tidy(() => dv.forward(model, x, { logits: false }).output);
    close(probs.dataSync(), (model.predict(x) as tf.Tensor).dataSync(), 1e-5);
    tf.dispose([expected, logits, probs]);
  });

  it("captures layers inside the nested model, and starting from a layer gives the same output", () => {
    tf.tidy(() => {
      const pass = dv.forward(model, x, { capture: ["inner_bn", "residual"] });
      assert.deepEqual(pass.activations.get("inner_bn")!.shape, [2, 8, 8, 4]);
      const resumed = dv.forward(model, x, { startAt: { layer: "residual", value: pass.activations.get("residual")! } });
      close(resumed.output.dataSync(), pass.output.dataSync(), 1e-6);
      const stopped = dv.forward(model, x, { stopAt: "separable" });
      assert.deepEqual(stopped.output.shape, [2, 3, 3, 5]);
    });
  });

  it("its input gradient matches tf.grad of the model itself", () => {
    tf.tidy(() => {
      const mask = tf.oneHot([1, 3], 4);
      const ours = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(dv.forward(model, xx).output, mask)))(x);
      const logitsOf = tf.model({ inputs: model.inputs, outputs: model.getLayer("probs").input as tf.SymbolicTensor });
      const W = model.getLayer("probs").getWeights();
      const reference = tf.grad((xx: tf.Tensor) =>
        tf.sum(tf.mul(tf.add(tf.matMul(logitsOf.apply(xx) as tf.Tensor2D, W[0] as tf.Tensor2D), W[1]), mask)),
      )(x);
      close(ours.dataSync(), reference.dataSync(), 1e-3);
    });
  });

  it("lists nested layers flat, and 'lastConv' finds the last conv with spatial axes", () => {
    const names = dv.listLayers(model).map((l) => l.name);
    assert.deepEqual(names.slice(0, 4), ["stem", "inner_conv", "inner_bn", "residual"]);
    assert.equal(dv.resolveLayer(model, "lastConv").name, "separable");
  });
});
