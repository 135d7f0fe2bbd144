import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { GraphNode, graphInfo } from "./graph";
import { clippedRelu, relu, ReluMode } from "./relu";

/**
 * While DeepViz explains a GraphModel, its fused nodes (_FusedConv2D, FusedDepthwiseConv2dNative,
 * _FusedMatMul) run as unfused conv / matmul + bias + activation, and its ReLU nodes use the chosen
 * backward rule. Two reasons: the fused kernels' gradient always computes the filter gradient too
 * (CenterNet 512² saliency: 165 s fused, 0.5 s unfused), and a ReLU fused into a kernel cannot have
 * its gradient swapped. The rewrite sets the nodes' `op` to one custom op for the duration of one
 * synchronous execute and puts them back afterwards, so model.predict and other models never see it.
 */
const EXPLAIN_OP = "DeepVizExplain";
const FUSED = new Set(["_FusedConv2D", "FusedDepthwiseConv2dNative", "_FusedMatMul"]);
const RELUS = new Set(["Relu", "Relu6"]);

type Attr = Record<string, { value: unknown }>;
interface Rewrite {
  op: string;
  category: string;
  gate: boolean;
}

const original = new WeakMap<GraphNode, Rewrite>();
let mode: ReluMode = "normal";
let registered = false;

function register(): void {
  if (registered) return;
  tf.registerOp(EXPLAIN_OP, (value) => {
    const node = (value as unknown as { node: GraphNode }).node;
    const was = original.get(node);
    if (!was) return fail(`internal: node ${node.name} was rewritten but its op was not recorded.`);
    return [runNode(was, node.attrParams as Attr, value.inputs, node)];
  });
  registered = true;
}

/** Runs `run` with the model's fused and ReLU nodes rewritten for explaining under `reluMode`. */
export function withExplainingOps<T>(model: tf.GraphModel, reluMode: ReluMode, run: () => T): T {
  register();
  const info = graphInfo(model);
  const changed: GraphNode[] = [];
  const savedMode = mode;
  for (const node of info.nodes.values()) {
    if (original.has(node)) continue; // already rewritten by an enclosing call
    const explain = FUSED.has(node.op) ? canUnfuse(node) : RELUS.has(node.op) && reluMode !== "normal";
    if (!explain) continue;
    original.set(node, { op: node.op, category: node.category, gate: isHardGate(model, node) });
    node.op = EXPLAIN_OP;
    node.category = "custom";
    changed.push(node);
  }
  mode = reluMode;
  try {
    return run();
  } finally {
    mode = savedMode;
    for (const node of changed) {
      const was = original.get(node)!;
      node.op = was.op;
      node.category = was.category;
      original.delete(node);
    }
  }
}

/** Fused nodes this file can run unfused; the rest keep tfjs's own kernel (correct, only slower). */
function canUnfuse(node: GraphNode): boolean {
  const attrs = node.attrParams as Attr;
  const format = String(attrs.dataFormat?.value ?? "nhwc").toLowerCase();
  const [extra] = (attrs.fusedOps?.value as string[] | undefined) ?? [];
  return format === "nhwc" && extra !== "fusedbatchnorm";
}

function runNode({ op, gate }: Rewrite, attrs: Attr, inputs: tf.Tensor[], node: GraphNode): tf.Tensor {
  if (op === "Relu") return relu(inputs[0], mode);
  if (op === "Relu6") return gate ? tf.relu6(inputs[0]) : clippedRelu(inputs[0], 6, mode);
  const [extra, activation] = attrs.fusedOps.value as string[];
  const args = inputs.slice(2);
  const bias = extra === "biasadd" ? args.shift() : undefined;
  const alpha = args[0];
  let y: tf.Tensor;
  if (op === "_FusedMatMul") {
    y = tf.matMul(inputs[0], inputs[1], attrs.transposeA?.value as boolean, attrs.transposeB?.value as boolean);
  } else {
    const s = attrs.strides.value as number[];
    const d = (attrs.dilations?.value as number[] | undefined) ?? [1, 1, 1, 1];
    const conv = op === "_FusedConv2D" ? tf.conv2d : tf.depthwiseConv2d;
    y = conv(inputs[0] as tf.Tensor4D, inputs[1] as tf.Tensor4D, [s[1], s[2]], padding(attrs) as "same", "NHWC", [d[1], d[2]]);
  }
  if (bias) y = tf.add(y, bias);
  return activate(y, activation, alpha, attrs.leakyreluAlpha?.value as number | undefined, node);
}

function padding(attrs: Attr): "same" | "valid" | number[][] {
  const pad = attrs.pad.value as string;
  if (pad !== "explicit") return pad as "same" | "valid";
  const p = attrs.explicitPaddings.value as number[];
  return [0, 1, 2, 3].map((i) => [p[2 * i], p[2 * i + 1]]);
}

/** A fused activation; only the ReLUs take the explaining rule (see ReluMode). */
function activate(
  y: tf.Tensor,
  activation: string | undefined,
  alpha: tf.Tensor | undefined,
  leakyAlpha: number | undefined,
  node: GraphNode,
): tf.Tensor {
  switch (activation) {
    case undefined:
    case "":
    case "linear":
      return y;
    case "relu":
      return relu(y, mode);
    case "relu6":
      return clippedRelu(y, 6, mode);
    case "prelu":
      return tf.prelu(y, alpha!);
    case "leakyrelu":
      return tf.leakyRelu(y, leakyAlpha ?? 0.2);
    case "elu":
      return tf.elu(y);
    case "sigmoid":
      return tf.sigmoid(y);
    default:
      return fail(`node ${node.name} fuses activation "${activation}", which DeepViz cannot run unfused yet.`);
  }
}

/**
 * Whether a Relu6 computes the gate relu6(x + 3) of a hard-swish or hard-sigmoid (MobileNetV3),
 * recognised by its input: an addition of the constant 3.
 */
function isHardGate(model: tf.GraphModel, node: GraphNode): boolean {
  const add = node.inputs[0];
  if (node.op !== "Relu6" || !add || !(add.op === "Add" || add.op === "AddV2")) return false;
  const weights = (model as unknown as { executor: { weightMap: Record<string, tf.Tensor[] | undefined> } }).executor.weightMap;
  return add.inputs.some((n) => {
    const t = n.op === "Const" ? weights[n.name]?.[0] : undefined;
    return t !== undefined && t.size === 1 && t.dataSync()[0] === 3;
  });
}
