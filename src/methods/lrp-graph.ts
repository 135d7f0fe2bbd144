import * as tf from "@tensorflow/tfjs";
import { GraphNode, graphInfo, scoreNode } from "../model/graph";
import { fail } from "../errors";
import {
  dataInputs as inputsOf,
  dependsOnInput,
  NODE_RULE_COVERS,
  NodeRule,
  productGate,
  refuseUnsupportedNodes,
  WEIGHTED,
} from "../model/graph-ops";
import { LinearMap } from "./lrp-layers";
import { addRule, applyRule, boundsAt, LrpComposite, passRule, ruleFor, RuleParams } from "./lrp-rules";

/** Ops between the input and a weighted op that keep it "the input layer" for the composite's input rule. */
const SHAPE_ONLY = new Set(["Identity", "Reshape", "Squeeze", "ExpandDims", "Pad"]);

const ONE = () => tf.scalar(1);

/**
 * The LRP rules as a GraphModel node rule: the same rules as for layers (lrp.ts), keyed by op. Weighted
 * ops (Conv2D, DepthwiseConv2dNative, MatMul, fused or not) are linear maps under the composite's rule,
 * a bias added right after a bare weighted op joins it (as a Dense layer's bias does), other bias adds,
 * average pools, means and bilinear resizes take ε, as do a product, quotient or difference with a
 * constant (a diagonal linear map), Add and Sub of two branches share in proportion (Sub with the
 * subtrahend's sign), ReLU and MaxPool keep their gradient (which is already the rule) and other
 * activations pass relevance through. A product of a gate and a signal (hard-swish x·relu6(x + 3)/6,
 * swish x·σ(x), a squeeze-and-excitation x·σ(s)) gives all its relevance to the signal and none to the
 * gate (Arras et al. 2017, LRP for LSTMs); the gate is the operand that comes from a sigmoid or a hard
 * sigmoid (productGate), also when both depend on the same x. A product of two computed tensors where
 * neither or both are gates, and a quotient by one, have no LRP rule and are a DeepVizError, as is a
 * node of any other op. A converter has folded batch norms into the convs already.
 */
export function lrpNodeRule(model: tf.GraphModel, composite: Required<LrpComposite>, params: RuleParams, x: tf.Tensor): NodeRule {
  const info = graphInfo(model);
  const dataInputs = (n: GraphNode) => inputsOf(info, n);
  const varying = dependsOnInput(info);
  refuseUnsupportedNodes("lrp", model, scoreNode(model), NODE_RULE_COVERS, (n) =>
    n.op === "Mul" && dataInputs(n).every((i) => varying.has(i.name)) && productGate(model, n) === undefined
      ? `it multiplies two computed tensors, neither (or both) of them a gate from a sigmoid or hard sigmoid, ` +
        "so no operand can take all the relevance (the gate-and-signal rule). Use integratedGradients or gradientShap for this model."
      : undefined,
  );
  const { nodes, input } = info;
  const weights = (model as unknown as { executor: { weightMap: Record<string, tf.Tensor[] | undefined> } }).executor.weightMap;
  const constant = (n: GraphNode | undefined) => (n?.op === "Const" ? weights[n.name]?.[0] : undefined);
  const readsInput = (n: GraphNode): boolean => {
    const from = dataInputs(n)[0];
    return from !== undefined && (from.name === input || (SHAPE_ONLY.has(from.op) && readsInput(from)));
  };
  /** An add of a constant (BiasAdd, or Add with one Const side): its constant, else undefined. */
  const biasOf = (n: GraphNode) =>
    n.op === "BiasAdd" || n.op === "Add" || n.op === "AddV2"
      ? dataInputs(n)
          .map(constant)
          .find((t) => t)
      : undefined;
  // a bias add whose input is a bare weighted op used only there is applied with that op
  const joined = new Map<string, tf.Tensor>();
  const folded = new Set<string>();
  for (const n of nodes.values()) {
    const weighted = WEIGHTED.has(n.op) || n.op.startsWith("_Fused") || n.op === "FusedDepthwiseConv2dNative";
    if (weighted && !constant(dataInputs(n)[1]))
      fail(`lrp needs constant weights: node "${n.name}" (${n.op}) multiplies two computed tensors, which no LRP rule covers.`);
    const before = dataInputs(n)[0];
    const bias = biasOf(n);
    if (bias && before && WEIGHTED.has(before.op) && before.children.length === 1) {
      joined.set(before.name, bias);
      folded.add(n.name);
    }
  }
  const linear = (map: LinearMap, a: tf.Tensor, atInput: boolean) => {
    const name = ruleFor(map, atInput, composite);
    return applyRule(name, map, a, name === "zB" ? { ...params, ...boundsAt(params, a, x) } : params);
  };
  /** For each product of two computed tensors: which operand is its signal. */
  const signal = new Map<string, number>();
  for (const n of nodes.values()) {
    const gate = n.op === "Mul" ? productGate(model, n) : undefined;
    if (gate !== undefined) signal.set(n.name, 1 - gate);
  }
  /** The diagonal linear map a ⊙ k (+ bias), as batch norm's scale is. */
  const diagonal = (kernel: tf.Tensor, bias: tf.Tensor | null): LinearMap => ({
    kind: "norm",
    kernel,
    bias,
    run: (a, k) => tf.mul(a, k),
  });
  return ({ node: name, op, part, inputs, varying: moving, weights: w, apply }) => {
    const node = nodes.get(name)!;
    if (part === "activation") return op === "Relu" ? undefined : passRule(inputs[0], apply(inputs));
    if (w) {
      const kind = op === "MatMul" ? "dense" : "conv";
      const map: LinearMap = { kind, run: w.run, kernel: w.kernel, bias: w.bias ?? joined.get(name) ?? null };
      return linear(map, inputs[0], readsInput(node));
    }
    if (folded.has(name)) return tf.clone(inputs[0]); // its bias was added with the weighted op before it (a copy: the executor frees inputs)
    const bias = biasOf(node);
    if (bias) return linear({ kind: "norm", kernel: ONE(), bias, run: (a, k) => tf.mul(a, k) }, inputs[0], false);
    if (op === "Add" || op === "AddV2") return addRule(inputs, params.epsilon);
    if (op === "Mul" || op === "Sub" || op === "RealDiv") {
      const [a, b] = inputs;
      if (moving[0] && moving[1]) {
        if (op === "Sub") return addRule(inputs, params.epsilon, [1, -1]);
        const s = signal.get(name)!; // refused above when there is none
        return passRule(inputs[s], apply(inputs)); // signal takes all, the gate none
      }
      if (!moving[0] && !moving[1]) return undefined; // a constant computed in the graph
      const [data, other] = moving[0] ? [a, b] : [b, a];
      if (op === "Mul") return linear(diagonal(other, null), data, false);
      if (op === "RealDiv") return linear(diagonal(tf.div(1, other), null), data, false);
      // a − c: a bias −c; c − a: the map −a with bias c
      return linear(moving[0] ? diagonal(ONE(), tf.neg(other)) : diagonal(tf.scalar(-1), other), data, false);
    }
    if (op === "ResizeBilinear") {
      const size = inputs[1];
      return linear({ kind: "norm", kernel: ONE(), bias: null, run: (a, k) => tf.mul(apply([a, size]), k) }, inputs[0], false);
    }
    if (op === "AvgPool" || op === "Mean") {
      const rest = inputs.slice(1);
      return linear({ kind: "norm", kernel: ONE(), bias: null, run: (a, k) => tf.mul(apply([a, ...rest]), k) }, inputs[0], false);
    }
    return undefined; // MaxPool: the gradient goes to each window's winner
  };
}
