import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { baseName, GraphInfo, GraphNode, graphInfo } from "./graph";
import { clippedRelu, relu, ReluMode } from "./relu";

/**
 * While DeepViz explains a GraphModel, its fused nodes (_FusedConv2D, FusedDepthwiseConv2dNative,
 * _FusedMatMul) run as unfused conv / matmul + bias + activation, and its ReLU nodes use the chosen
 * backward rule. Two reasons: the fused kernels' gradient always computes the filter gradient too
 * (CenterNet 512² saliency: 165 s fused, 0.5 s unfused), and a ReLU fused into a kernel cannot have
 * its gradient swapped. Half-pixel bilinear resizes (Keras' UpSampling2D) are rewritten always: tfjs's
 * ResizeBilinearGrad ignores half-pixel centres, so their gradient would be wrong. The rewrite sets the
 * nodes' `op` to one custom op for the duration of one synchronous execute and puts them back
 * afterwards, so model.predict and other models never see it.
 *
 * With a node rule (LRP, DeepLift: the GraphModel counterpart of the LayersModel interpreter's layer
 * rule) the linear ops, pools, adds and elementwise activations are rewritten too, and each of them,
 * or each part of a fused node, is offered to the rule before it runs. Elementwise Mul, Sub and RealDiv
 * are offered too, with which operands vary with the model's input (a product of two of them, as in
 * hard-swish, swish and squeeze-and-excitation, is not linear and each method says how it shares it).
 */
const EXPLAIN_OP = "DeepVizExplain";
const FUSED = new Set(["_FusedConv2D", "FusedDepthwiseConv2dNative", "_FusedMatMul"]);
const RELUS = new Set(["Relu", "Relu6"]);
/** Ops with a weight operand (their unfused forms). */
export const WEIGHTED: ReadonlySet<string> = new Set(["Conv2D", "DepthwiseConv2dNative", "MatMul"]);
const ACTIVATIONS = new Set(["Relu", "Relu6", "LeakyRelu", "Elu", "Sigmoid", "Tanh"]);
/** Elementwise arithmetic of two operands (broadcasting); the rule sees which of them vary with the input. */
export const ARITHMETIC: ReadonlySet<string> = new Set(["Mul", "Sub", "RealDiv"]);
/** The ops a node rule is offered, besides the fused ones. */
export const RULE_OPS = new Set([
  ...WEIGHTED,
  ...ACTIVATIONS,
  ...ARITHMETIC,
  "BiasAdd",
  "Add",
  "AddV2",
  "MaxPool",
  "AvgPool",
  "Mean",
  "ResizeBilinear",
]);
/** What a method built on the node rule covers: the rule's ops, and fused nodes that unfuse into them. */
export const NODE_RULE_COVERS: ReadonlySet<string> = new Set([...FUSED, ...RULE_OPS]);

/** One node, or one part of a fused node, as the GraphModel interpreter is about to run it. */
export interface NodeStep {
  /** The node's name. */
  node: string;
  /**
   * The op this part computes: a weighted op ("Conv2D", "DepthwiseConv2dNative", "MatMul"; a fused
   * node's linear part is named by its unfused op), "BiasAdd", "Add"/"AddV2", "MaxPool", "AvgPool",
   * "Mean", "ResizeBilinear", elementwise "Mul", "Sub", "RealDiv", or an activation ("Relu", "Relu6",
   * "LeakyRelu", "Elu", "Sigmoid", "Tanh").
   */
  op: string;
  /** "linear": everything but a fused activation; "activation": an elementwise nonlinearity. */
  part: "linear" | "activation";
  /** The node's input tensors (data first, then constants such as Mean's axes). */
  inputs: tf.Tensor[];
  /** For each input, whether its value depends on the model's input (false: a weight, a constant, a size). */
  varying: boolean[];
  /** The node's attributes by tfjs-converter's names (strides, pad, kernelSize, fusedOps, …). */
  attrs: Record<string, unknown>;
  /** For weighted ops: the bias-free op with any kernel, the node's kernel, and a fused node's bias. */
  weights?: { run(a: tf.Tensor, kernel: tf.Tensor): tf.Tensor; kernel: tf.Tensor; bias?: tf.Tensor };
  /** The default computation of this part. */
  apply(inputs: tf.Tensor[]): tf.Tensor;
}

/** Computes a step its own way (usually the same value with another gradient), or undefined for the default. */
export type NodeRule = (step: NodeStep) => tf.Tensor | undefined;

type Attr = Record<string, { value: unknown }>;
interface Rewrite {
  op: string;
  category: string;
  gate: boolean;
  varying: boolean[];
}

const original = new WeakMap<GraphNode, Rewrite>();
let mode: ReluMode = "normal";
let rule: NodeRule | undefined;
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

/** Runs `run` with the model's fused and ReLU nodes (and, with a node rule, the nodes it is offered) rewritten. */
export function withExplainingOps<T>(model: tf.GraphModel, reluMode: ReluMode, run: () => T, nodeRule?: NodeRule): T {
  register();
  const info = graphInfo(model);
  const changed: GraphNode[] = [];
  const savedMode = mode;
  const savedRule = rule;
  for (const node of info.nodes.values()) {
    if (original.has(node)) continue; // already rewritten by an enclosing call
    const explain = FUSED.has(node.op)
      ? canUnfuse(node)
      : (RELUS.has(node.op) && reluMode !== "normal") ||
        isHalfPixelResize(node) ||
        (nodeRule !== undefined && RULE_OPS.has(node.op));
    if (!explain) continue;
    const varying = dataInputs(info, node).map((n) => dependsOnInput(info).has(n.name));
    original.set(node, { op: node.op, category: node.category, gate: isHardGate(model, node), varying });
    node.op = EXPLAIN_OP;
    node.category = "custom";
    changed.push(node);
  }
  mode = reluMode;
  rule = nodeRule ?? savedRule;
  try {
    return run();
  } finally {
    mode = savedMode;
    rule = savedRule;
    for (const node of changed) {
      const was = original.get(node)!;
      node.op = was.op;
      node.category = was.category;
      original.delete(node);
    }
  }
}

/** Fused nodes this file can run unfused; the rest keep tfjs's own kernel (correct, only slower). */
export function canUnfuse(node: GraphNode): boolean {
  const attrs = node.attrParams as Attr;
  const format = String(attrs.dataFormat?.value ?? "nhwc").toLowerCase();
  const [extra] = (attrs.fusedOps?.value as string[] | undefined) ?? [];
  return format === "nhwc" && extra !== "fusedbatchnorm";
}

function runNode({ op, gate, varying }: Rewrite, attrs: Attr, inputs: tf.Tensor[], node: GraphNode): tf.Tensor {
  const values = () => Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, v.value]));
  const step = (
    part: NodeStep["part"],
    stepOp: string,
    ins: tf.Tensor[],
    apply: NodeStep["apply"],
    weights?: NodeStep["weights"],
  ) => {
    const step = { node: node.name, op: stepOp, part, inputs: ins, varying: varying.slice(0, ins.length), attrs: values() };
    return (rule && rule({ ...step, weights, apply })) ?? apply(ins);
  };
  if (ACTIVATIONS.has(op)) return step("activation", op, inputs, ([x]) => activation(op, x, attrs, gate));
  if (!FUSED.has(op)) {
    const weighted = WEIGHTED.has(op) ? { run: linearOp(op, attrs), kernel: inputs[1] } : undefined;
    return step("linear", op, inputs, (ins) => plainOp(op, attrs, ins), weighted);
  }
  const [extra, fusedActivation] = attrs.fusedOps.value as string[];
  const args = inputs.slice(2);
  const bias = extra === "biasadd" ? args.shift() : undefined;
  const alpha = args[0];
  const base = op === "_FusedMatMul" ? "MatMul" : op === "_FusedConv2D" ? "Conv2D" : "DepthwiseConv2dNative";
  const run = linearOp(base, attrs);
  const y = step("linear", base, inputs.slice(0, 2), ([a, k]) => (bias ? tf.add(run(a, k), bias) : run(a, k)), {
    run,
    kernel: inputs[1],
    bias,
  });
  const name = fusedActivationOp(fusedActivation, node);
  if (!name) return y;
  if (name === "Prelu") return tf.prelu(y, alpha!);
  const fusedAttrs = { ...attrs, alpha: { value: attrs.leakyreluAlpha?.value ?? 0.2 } };
  return step("activation", name, [y], ([x]) => activation(name, x, fusedAttrs, false));
}

/** The bias-free weighted op of a node (its attributes fixed), for any kernel. */
function linearOp(op: string, attrs: Attr): (a: tf.Tensor, kernel: tf.Tensor) => tf.Tensor {
  if (op === "MatMul") return (a, k) => tf.matMul(a, k, attrs.transposeA?.value as boolean, attrs.transposeB?.value as boolean);
  const s = attrs.strides.value as number[];
  const d = (attrs.dilations?.value as number[] | undefined) ?? [1, 1, 1, 1];
  const conv = op === "Conv2D" ? tf.conv2d : tf.depthwiseConv2d;
  return (a, k) => conv(a as tf.Tensor4D, k as tf.Tensor4D, [s[1], s[2]], padding(attrs) as "same", "NHWC", [d[1], d[2]]);
}

/** The unfused ops a node rule is offered, computed as tfjs-converter would. */
function plainOp(op: string, attrs: Attr, inputs: tf.Tensor[]): tf.Tensor {
  switch (op) {
    case "Conv2D":
    case "DepthwiseConv2dNative":
    case "MatMul":
      return linearOp(op, attrs)(inputs[0], inputs[1]);
    case "BiasAdd":
    case "Add":
    case "AddV2":
      return tf.add(inputs[0], inputs[1]);
    case "Mul":
      return tf.mul(inputs[0], inputs[1]);
    case "Sub":
      return tf.sub(inputs[0], inputs[1]);
    case "RealDiv":
      return tf.div(inputs[0], inputs[1]);
    case "ResizeBilinear": {
      const [h, w] = Array.from(inputs[1].dataSync());
      if (attrs.halfPixelCenters?.value === true) return halfPixelResize(inputs[0] as tf.Tensor4D, h, w);
      return tf.image.resizeBilinear(inputs[0] as tf.Tensor4D, [h, w], attrs.alignCorners?.value === true);
    }
    case "MaxPool":
    case "AvgPool": {
      const k = attrs.kernelSize.value as number[];
      const s = attrs.strides.value as number[];
      const pool = op === "MaxPool" ? tf.maxPool : tf.avgPool;
      return pool(inputs[0] as tf.Tensor4D, [k[1], k[2]], [s[1], s[2]], padding(attrs) as "same");
    }
    case "Mean":
      return tf.mean(inputs[0], Array.from(inputs[1].dataSync()), attrs.keepDims?.value as boolean);
    default:
      return fail(`internal: ${op} is offered to node rules but not computed.`);
  }
}

const isHalfPixelResize = (node: GraphNode) =>
  node.op === "ResizeBilinear" && (node.attrParams as Attr).halfPixelCenters?.value === true;

/**
 * Bilinear resizing with half-pixel centres (TensorFlow's rule) as two interpolation matrices, one per
 * axis, so that its gradient is their transposes: the same values as tf.image.resizeBilinear, whose
 * backward kernel treats every resize as if its centres were not half-pixel.
 */
function halfPixelResize(x: tf.Tensor4D, h: number, w: number): tf.Tensor {
  const [n, hIn, wIn, c] = x.shape;
  const alongH = tf.matMul(interpolation(hIn, h), tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [hIn, -1]));
  const byColumn = tf.transpose(tf.reshape(alongH, [h, n, wIn, c]), [2, 1, 0, 3]); // [wIn, n, h, c]
  const alongW = tf.matMul(interpolation(wIn, w), tf.reshape(byColumn, [wIn, -1]));
  return tf.transpose(tf.reshape(alongW, [w, n, h, c]), [1, 2, 0, 3]);
}

/** The [to, from] matrix of half-pixel linear interpolation: source (i + ½)·from/to − ½, clamped to the edges. */
function interpolation(from: number, to: number): tf.Tensor2D {
  const m = new Float32Array(to * from);
  for (let i = 0; i < to; i++) {
    const source = ((i + 0.5) * from) / to - 0.5;
    const lerp = source - Math.floor(source);
    m[i * from + Math.max(Math.floor(source), 0)] += 1 - lerp;
    m[i * from + Math.min(Math.ceil(source), from - 1)] += lerp;
  }
  return tf.tensor2d(m, [to, from]);
}

/** An elementwise activation node; only the ReLUs take the explaining ReLU mode. */
function activation(op: string, x: tf.Tensor, attrs: Attr, gate: boolean): tf.Tensor {
  switch (op) {
    case "Relu":
      return relu(x, mode);
    case "Relu6":
      return gate ? tf.relu6(x) : clippedRelu(x, 6, mode);
    case "LeakyRelu":
      return tf.leakyRelu(x, (attrs.alpha?.value as number | undefined) ?? 0.2);
    case "Elu":
      return tf.elu(x);
    case "Sigmoid":
      return tf.sigmoid(x);
    default:
      return tf.tanh(x);
  }
}

function padding(attrs: Attr): "same" | "valid" | number[][] {
  const pad = attrs.pad.value as string;
  if (pad !== "explicit") return pad as "same" | "valid";
  const p = attrs.explicitPaddings.value as number[];
  return [0, 1, 2, 3].map((i) => [p[2 * i], p[2 * i + 1]]);
}

/** The op name of a fused activation (undefined for none), or a DeepVizError for one DeepViz cannot run unfused. */
function fusedActivationOp(activation: string | undefined, node: GraphNode): string | undefined {
  const names: Record<string, string | undefined> = {
    "": undefined,
    linear: undefined,
    relu: "Relu",
    relu6: "Relu6",
    prelu: "Prelu",
    leakyrelu: "LeakyRelu",
    elu: "Elu",
    sigmoid: "Sigmoid",
  };
  if (activation === undefined) return undefined;
  if (!(activation in names))
    return fail(`node ${node.name} fuses activation "${activation}", which DeepViz cannot run unfused yet.`);
  return names[activation];
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

const dependents = new WeakMap<GraphInfo, Set<string>>();

/** The nodes whose value depends on the model's input (the input included); the others are constants. */
export function dependsOnInput(info: GraphInfo): ReadonlySet<string> {
  let set = dependents.get(info);
  if (set) return set;
  set = new Set([info.input]);
  for (const name of info.order) if (dataInputs(info, info.nodes.get(name)!).some((n) => set!.has(n.name))) set.add(name);
  dependents.set(info, set);
  return set;
}

/** A node's data inputs (control inputs left out), in order. */
export function dataInputs(info: GraphInfo, node: GraphNode): GraphNode[] {
  return node.inputNames.filter((i) => !i.startsWith("^")).map((i) => info.nodes.get(baseName(i))!);
}

/** Ops a gate's value passes through unchanged in kind: moves of values, and arithmetic with a constant. */
const GATE_SCALING = new Set(["Identity", "Reshape", "ExpandDims", "Squeeze", "Mul", "RealDiv", "Add", "AddV2", "Sub"]);

/**
 * For an elementwise product of two input-dependent operands: the index of the gate, the one operand that
 * comes from a sigmoid or a hard sigmoid (relu6(z + 3), then scaled: MobileNetV3's hard-swish,
 * hard-sigmoid and squeeze-and-excitation gates), possibly reshaped or scaled by constants; the other one
 * is the signal. Undefined when neither or both operands are gates (a bilinear product).
 */
export function productGate(model: tf.GraphModel, node: GraphNode): 0 | 1 | undefined {
  const info = graphInfo(model);
  const varying = dependsOnInput(info);
  const isGate = (n: GraphNode): boolean => {
    if (n.op === "Sigmoid" || isHardGate(model, n)) return true;
    if (!GATE_SCALING.has(n.op)) return false;
    const moving = dataInputs(info, n).filter((i) => varying.has(i.name));
    return moving.length === 1 && isGate(moving[0]);
  };
  const [a, b] = dataInputs(info, node).map(isGate);
  return a === b ? undefined : a ? 0 : 1;
}

/** Ops that only move, copy or pick values: their ordinary gradient is right for every node rule. */
const SHAPE_OPS = new Set(["Identity", "Reshape", "Squeeze", "ExpandDims", "ConcatV2", "Pad", "Transpose"]);

/**
 * For a method built on a node rule: a DeepVizError naming the first node on the way from the input to
 * the explained scores whose op the method has no rule for (`supported`: ops besides the shape-only ones),
 * or that `refusal` (the method's own conditions) returns a reason for. Nodes that do not depend on the
 * input (sizes, constants computed in the graph) need no rule. A RealDiv by an input-dependent tensor is
 * refused for every method: neither DeepLift's nor LRP's sources give a rule for a quotient.
 */
export function refuseUnsupportedNodes(
  method: string,
  model: tf.GraphModel,
  end: string,
  supported: ReadonlySet<string>,
  refusal?: (node: GraphNode) => string | undefined,
): void {
  const info = graphInfo(model);
  const varying = dependsOnInput(info);
  const seen = new Set<string>();
  const stack = [end];
  while (stack.length) {
    const node = info.nodes.get(stack.pop()!);
    if (!node || seen.has(node.name) || !varying.has(node.name) || node.op === "Placeholder") continue;
    seen.add(node.name);
    const divisor = node.op === "RealDiv" ? dataInputs(info, node)[1] : undefined;
    if (divisor && varying.has(divisor.name))
      fail(
        `${method} has no rule for node "${node.name}" (RealDiv): it divides by "${divisor.name}", which depends on the input. ` +
          "Use integratedGradients or gradientShap for this model.",
      );
    const reason = refusal?.(node);
    if (reason) fail(`${method} has no rule for node "${node.name}" (op ${node.op}): ${reason}`);
    const fusedOk = FUSED.has(node.op) && canUnfuse(node) && supported.has(node.op);
    if (!fusedOk && !SHAPE_OPS.has(node.op) && !(supported.has(node.op) && !FUSED.has(node.op)))
      fail(
        `${method} has no rule for node "${node.name}" (op ${node.op}${FUSED.has(node.op) ? `, fusing ${String(node.attrParams.fusedOps?.value)}` : ""}). ` +
          `On GraphModels it supports ${[...supported].join(", ")} and shape-only ops (${[...SHAPE_OPS].join(", ")}). ` +
          "Use integratedGradients or gradientShap for this model.",
      );
    for (const input of node.inputNames) if (!input.startsWith("^")) stack.push(input.replace(/:\d+$/, ""));
  }
}
