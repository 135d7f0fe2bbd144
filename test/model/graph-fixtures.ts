import * as tf from "@tensorflow/tfjs";

/**
 * Hand-written graph-model topologies (TensorFlow GraphDef JSON, as tensorflowjs_converter writes
 * them) with seeded weights, loaded through tf.io.fromMemory: small GraphModels for tests, no network.
 */
type Attr = Record<string, unknown>;
const b64 = (s: string) => Buffer.from(s).toString("base64");
export const attr = {
  ints: (v: number[]) => ({ list: { i: v.map(String) } }),
  int: (v: number) => ({ i: String(v) }),
  float: (v: number) => ({ f: v }),
  str: (v: string) => ({ s: b64(v) }),
  strs: (v: string[]) => ({ list: { s: v.map(b64) } }),
  bool: (v: boolean) => ({ b: v }),
  float32: { type: "DT_FLOAT" },
};

/** Seeded uniform values in [-1, 1) (mulberry32). */
export function seeded(n: number, seed: number): number[] {
  let a = seed >>> 0;
  return Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

export class GraphBuilder {
  private nodes: object[] = [];
  private specs: tf.io.WeightsManifestEntry[] = [];
  private values: number[][] = [];
  readonly weights = new Map<string, tf.Tensor>();

  input(name: string, shape: number[]): string {
    this.nodes.push({
      name,
      op: "Placeholder",
      attr: { dtype: attr.float32, shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } } },
    });
    return name;
  }

  /** A float32 (or int32) constant; `weights` keeps a copy for the test's reference computation. */
  constant(name: string, values: number[], shape: number[], dtype: "float32" | "int32" = "float32"): string {
    const dt = dtype === "float32" ? "DT_FLOAT" : "DT_INT32";
    this.nodes.push({
      name,
      op: "Const",
      attr: {
        dtype: { type: dt },
        value: { tensor: { dtype: dt, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } },
      },
    });
    this.specs.push({ name, shape, dtype });
    this.values.push(values);
    this.weights.set(name, tf.tensor(values, shape, dtype));
    return name;
  }

  op(name: string, op: string, inputs: string[], attrs: Attr = {}): string {
    this.nodes.push({ name, op, input: inputs, attr: { T: attr.float32, ...attrs } });
    return name;
  }

  async build(signature?: { inputs: string[]; outputs: string[] }): Promise<tf.GraphModel> {
    const buffers = this.specs.map((s, i) =>
      s.dtype === "int32" ? new Int32Array(this.values[i]).buffer : new Float32Array(this.values[i]).buffer,
    );
    const total = buffers.reduce((a, b) => a + b.byteLength, 0);
    const data = new Uint8Array(total);
    let offset = 0;
    for (const b of buffers) {
      data.set(new Uint8Array(b), offset);
      offset += b.byteLength;
    }
    const sig = signature && {
      inputs: Object.fromEntries(signature.inputs.map((n) => [n, { name: `${n}:0`, dtype: "DT_FLOAT" }])),
      outputs: Object.fromEntries(signature.outputs.map((n) => [n, { name: `${n}:0`, dtype: "DT_FLOAT" }])),
    };
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: { node: this.nodes, versions: { producer: 1 } },
      weightSpecs: this.specs,
      weightData: data.buffer,
      format: "graph-model",
      ...(sig ? { signature: sig } : {}),
    };
    return tf.loadGraphModel(tf.io.fromMemory(artifacts));
  }

  dispose(): void {
    tf.dispose([...this.weights.values()]);
  }
}

export const conv = {
  strides: attr.ints([1, 1, 1, 1]),
  padding: attr.str("SAME"),
  data_format: attr.str("NHWC"),
  dilations: attr.ints([1, 1, 1, 1]),
};
export const fused = (ops: string[], numArgs = 1) => ({
  ...conv,
  fused_ops: attr.strs(ops),
  num_args: attr.int(numArgs),
  explicit_paddings: attr.ints([]),
  epsilon: attr.float(0),
});

/**
 * input [-1, 6, 6, 2]
 *  → "conv1" _FusedConv2D(BiasAdd, Relu), 3 filters           (a fused ReLU)
 *  → "conv2" Conv2D, 4 filters → "bias2" BiasAdd → "relu6" Relu6 (a separate ReLU6)
 *  → "dw" FusedDepthwiseConv2dNative(BiasAdd, Relu6)            (a fused ReLU6)
 *  → hard-swish: "hs_add" = dw + 3 → "hs_gate" Relu6 → "hs_mul" dw·gate → "hswish" ·(1/6)
 *  → "leaky" LeakyRelu(0.1) → "relu" Relu                        (a separate ReLU)
 *  → "gap" Mean over [1, 2] → "fc" _FusedMatMul(BiasAdd, Relu) 5 → "logits" MatMul + "logits_b" BiasAdd
 *  → "probs" Softmax → "Identity"
 */
export async function tinyCnn(options: { batch?: number } = {}) {
  const g = new GraphBuilder();
  const x = g.input("image", [options.batch ?? -1, 6, 6, 2]);
  const w = (name: string, shape: number[], seed: number, scale = 0.8) =>
    g.constant(
      name,
      seeded(
        shape.reduce((a, b) => a * b, 1),
        seed,
      ).map((v) => v * scale),
      shape,
    );
  g.op("conv1", "_FusedConv2D", [x, w("k1", [3, 3, 2, 3], 1), w("b1", [3], 2, 0.3)], fused(["BiasAdd", "Relu"]));
  g.op("conv2", "Conv2D", ["conv1", w("k2", [3, 3, 3, 4], 3)], { ...conv, explicit_paddings: attr.ints([]) });
  g.op("bias2", "BiasAdd", ["conv2", w("b2", [4], 4, 0.5)], { data_format: attr.str("NHWC") });
  g.op("relu6", "Relu6", ["bias2"]);
  g.op(
    "dw",
    "FusedDepthwiseConv2dNative",
    ["relu6", w("kd", [3, 3, 4, 1], 5, 2), w("bd", [4], 6, 2)],
    fused(["BiasAdd", "Relu6"]),
  );
  g.op("hs_add", "AddV2", ["dw", g.constant("three", [3], [])]);
  g.op("hs_gate", "Relu6", ["hs_add"]);
  g.op("hs_mul", "Mul", ["dw", "hs_gate"]);
  g.op("hswish", "Mul", ["hs_mul", g.constant("sixth", [1 / 6], [])]);
  g.op("leaky", "LeakyRelu", ["hswish"], { alpha: attr.float(0.1) });
  g.op("relu", "Relu", ["leaky"]);
  g.op("gap", "Mean", ["relu", g.constant("axes", [1, 2], [2], "int32")], {
    keep_dims: attr.bool(false),
    Tidx: { type: "DT_INT32" },
  });
  g.op("fc", "_FusedMatMul", ["gap", w("wf", [4, 5], 7), w("bf", [5], 8, 0.3)], {
    fused_ops: attr.strs(["BiasAdd", "Relu"]),
    num_args: attr.int(1),
    transpose_a: attr.bool(false),
    transpose_b: attr.bool(false),
    epsilon: attr.float(0),
  });
  g.op("logits", "MatMul", ["fc", w("wl", [5, 3], 9)], { transpose_a: attr.bool(false), transpose_b: attr.bool(false) });
  g.op("logits_b", "BiasAdd", ["logits", w("bl", [3], 10, 0.3)], { data_format: attr.str("NHWC") });
  g.op("probs", "Softmax", ["logits_b"]);
  g.op("Identity", "Identity", ["probs"]);
  const model = await g.build();
  return { model, weights: g.weights, builder: g };
}

/** The rules a ReLU can take in the reference computation. */
export interface Rules {
  relu(x: tf.Tensor): tf.Tensor;
  relu6(x: tf.Tensor): tf.Tensor;
}

/**
 * tinyCnn written again with plain tf ops, each ReLU through `rules`: the reference that the
 * GraphModel interpreter is checked against. Returns the pre-softmax logits.
 */
export function tinyCnnReference(weights: Map<string, tf.Tensor>, x: tf.Tensor, rules: Rules): tf.Tensor {
  const W = (n: string) => weights.get(n)!;
  let h = rules.relu(tf.add(tf.conv2d(x as tf.Tensor4D, W("k1") as tf.Tensor4D, 1, "same"), W("b1")));
  h = rules.relu6(tf.add(tf.conv2d(h as tf.Tensor4D, W("k2") as tf.Tensor4D, 1, "same"), W("b2")));
  const dw = rules.relu6(tf.add(tf.depthwiseConv2d(h as tf.Tensor4D, W("kd") as tf.Tensor4D, 1, "same"), W("bd")));
  const hswish = tf.mul(tf.mul(dw, tf.relu6(tf.add(dw, 3))), 1 / 6); // the gate keeps its true gradient
  h = rules.relu(tf.leakyRelu(hswish, 0.1));
  const gap = tf.mean(h, [1, 2]);
  const fc = rules.relu(tf.add(tf.matMul(gap as tf.Tensor2D, W("wf") as tf.Tensor2D), W("bf")));
  return tf.add(tf.matMul(fc as tf.Tensor2D, W("wl") as tf.Tensor2D), W("bl"));
}

/** Rules written here, apart from the library: the true gradient, guided backprop, deconvnet. */
export function referenceRules(kind: "normal" | "guided" | "deconvnet"): Rules {
  if (kind === "normal") return { relu: tf.relu, relu6: tf.relu6 };
  const rule = (max: number) =>
    tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
      save([x]);
      return {
        value: tf.clipByValue(x, 0, max),
        gradFunc: (dy: tf.Tensor, [xs]: tf.Tensor[]) => {
          const positive = tf.cast(tf.greater(dy, 0), "float32");
          if (kind === "deconvnet") return [tf.mul(dy, positive)];
          const open = tf.cast(tf.logicalAnd(tf.greater(xs, 0), tf.less(xs, max)), "float32");
          return [tf.mul(tf.mul(dy, open), positive)];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const r = rule(Infinity),
    r6 = rule(6);
  return { relu: (x) => r(x), relu6: (x) => r6(x) };
}

/**
 * A CenterNet-shaped detector: input [-1, 8, 8, 3] → "backbone" _FusedConv2D(BiasAdd, Relu) 4
 * → "heat_logits" Conv2D 2 classes → "heat" Sigmoid (a class heatmap, 8×8×2), and
 * → "box" Conv2D 4 channels (box sizes per location). Two outputs: "heat" and "box".
 */
export async function tinyDetector() {
  const g = new GraphBuilder();
  const x = g.input("image", [-1, 8, 8, 3]);
  const w = (name: string, shape: number[], seed: number) =>
    g.constant(
      name,
      seeded(
        shape.reduce((a, b) => a * b, 1),
        seed,
      ),
      shape,
    );
  g.op("backbone", "_FusedConv2D", [x, w("kb", [3, 3, 3, 4], 11), w("bb", [4], 12)], fused(["BiasAdd", "Relu"]));
  g.op("heat_logits", "Conv2D", ["backbone", w("kh", [1, 1, 4, 2], 13)], { ...conv, explicit_paddings: attr.ints([]) });
  g.op("heat", "Sigmoid", ["heat_logits"]);
  g.op("box", "Conv2D", ["backbone", w("kx", [1, 1, 4, 4], 14)], { ...conv, explicit_paddings: attr.ints([]) });
  const model = await g.build({ inputs: ["image"], outputs: ["heat", "box"] });
  return { model, weights: g.weights, builder: g };
}
