import * as tf from "@tensorflow/tfjs";
import { attr, conv, fused, GraphBuilder, seeded } from "../model/graph-fixtures";

/**
 * One small residual CNN built twice with the same weights: as a tf.LayersModel and as a hand-written
 * GraphModel whose nodes are what tensorflowjs_converter makes of it (fused convs + bias (+ ReLU), a bare
 * depthwise conv, MaxPool, AddV2, Relu, Mean, MatMul + BiasAdd, Softmax). A method that works on both must
 * give the same numbers on each.
 *
 *   x [6, 6, 2] → conv1 3×3 same, 4 filters, bias → pool 2×2 max → dw 3×3 depthwise, no bias
 *     → conv2 3×3 same, 4 filters, bias, ReLU → add(conv2, pool) → ReLU → global mean → dense 3 (bias) → softmax
 * `reluBeforePool` puts a ReLU on conv1 (windows of ReLU zeros: DeepLift's max-pool rule must then route
 * through the reference's winner).
 */
export interface Twins {
  layers: tf.LayersModel;
  graph: tf.GraphModel;
  dispose(): void;
}

export async function residualTwins(options: { bias?: boolean; seed?: number; reluBeforePool?: boolean } = {}): Promise<Twins> {
  const seed = options.seed ?? 1;
  const bias = options.bias ?? true;
  const values = (shape: number[], s: number, scale: number) =>
    seeded(
      shape.reduce((a, b) => a * b, 1),
      seed * 100 + s,
    ).map((v) => (bias || shape.length > 1 ? v * scale : 0));
  const w = {
    k1: { shape: [3, 3, 2, 4], v: values([3, 3, 2, 4], 1, 0.6) },
    b1: { shape: [4], v: values([4], 2, 0.3) },
    kd: { shape: [3, 3, 4, 1], v: values([3, 3, 4, 1], 3, 0.6) },
    k2: { shape: [3, 3, 4, 4], v: values([3, 3, 4, 4], 4, 0.5) },
    b2: { shape: [4], v: values([4], 5, 0.3) },
    wf: { shape: [4, 3], v: values([4, 3], 6, 1) },
    bf: { shape: [3], v: values([3], 7, 0.3) },
  };
  const t = (k: keyof typeof w) => tf.tensor(w[k].v, w[k].shape);

  const input = tf.input({ shape: [6, 6, 2] });
  const c1 = tf.layers.conv2d({
    filters: 4,
    kernelSize: 3,
    padding: "same",
    name: "conv1",
    activation: options.reluBeforePool ? "relu" : "linear",
  });
  const pool = tf.layers.maxPooling2d({ poolSize: 2, name: "pool" });
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: "same", useBias: false, name: "dw" });
  const c2 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same", activation: "relu", name: "conv2" });
  const p = pool.apply(c1.apply(input)) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: "add" }).apply([c2.apply(dw.apply(p)) as tf.SymbolicTensor, p]) as tf.SymbolicTensor;
  const r = tf.layers.reLU({ name: "relu" }).apply(sum) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(r) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 3, activation: "softmax", name: "fc" });
  const layers = tf.model({ inputs: input, outputs: dense.apply(gap) as tf.SymbolicTensor });
  const set = (layer: tf.layers.Layer, names: (keyof typeof w)[]) => {
    const ts = names.map(t);
    layer.setWeights(ts);
    tf.dispose(ts);
  };
  set(c1, ["k1", "b1"]);
  set(dw, ["kd"]);
  set(c2, ["k2", "b2"]);
  set(dense, ["wf", "bf"]);

  const g = new GraphBuilder();
  const x = g.input("image", [-1, 6, 6, 2]);
  const c = (k: keyof typeof w) => g.constant(k, w[k].v, w[k].shape);
  g.op("conv1", "_FusedConv2D", [x, c("k1"), c("b1")], fused(options.reluBeforePool ? ["BiasAdd", "Relu"] : ["BiasAdd"]));
  g.op("pool", "MaxPool", ["conv1"], {
    ksize: attr.ints([1, 2, 2, 1]),
    strides: attr.ints([1, 2, 2, 1]),
    padding: attr.str("VALID"),
    data_format: attr.str("NHWC"),
  });
  g.op("dw", "DepthwiseConv2dNative", ["pool", c("kd")], { ...conv, explicit_paddings: attr.ints([]) });
  g.op("conv2", "_FusedConv2D", ["dw", c("k2"), c("b2")], fused(["BiasAdd", "Relu"]));
  g.op("add", "AddV2", ["conv2", "pool"]);
  g.op("relu", "Relu", ["add"]);
  g.op("gap", "Mean", ["relu", g.constant("axes", [1, 2], [2], "int32")], {
    keep_dims: attr.bool(false),
    Tidx: { type: "DT_INT32" },
  });
  g.op("fc", "MatMul", ["gap", c("wf")], { transpose_a: attr.bool(false), transpose_b: attr.bool(false) });
  g.op("fc_b", "BiasAdd", ["fc", c("bf")], { data_format: attr.str("NHWC") });
  g.op("probs", "Softmax", ["fc_b"]);
  g.op("Identity", "Identity", ["probs"]);
  const graph = await g.build();
  g.dispose();
  return {
    layers,
    graph,
    dispose: () => {
      layers.dispose();
      graph.dispose();
    },
  };
}
