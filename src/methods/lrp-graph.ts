import * as tf from "@tensorflow/tfjs";
import { baseName, GraphNode, graphInfo, scoreNode } from "../model/graph";
import { fail } from "../errors";
import { NODE_RULE_COVERS, NodeRule, refuseUnsupportedNodes, WEIGHTED } from "../model/graph-ops";
import { LinearMap } from "./lrp-layers";
import { addRule, applyRule, boundsAt, LrpComposite, passRule, ruleFor, RuleParams } from "./lrp-rules";

/** Ops between the input and a weighted op that keep it "the input layer" for the composite's input rule. */
const SHAPE_ONLY = new Set(["Identity", "Reshape", "Squeeze", "ExpandDims", "Pad"]);

const ONE = () => tf.scalar(1);

/**
 * The LRP rules as a GraphModel node rule: the same rules as for layers (lrp.ts), keyed by op. Weighted
 * ops (Conv2D, DepthwiseConv2dNative, MatMul, fused or not) are linear maps under the composite's rule,
 * a bias added right after a bare weighted op joins it (as a Dense layer's bias does), other bias adds,
 * average pools and means take ε, Add of two branches shares in proportion, ReLU and MaxPool keep
 * their gradient (which is already the rule) and other activations pass relevance through. A converter
 * has folded batch norms into the convs already; a node of any other op is a DeepVizError.
 */
export function lrpNodeRule(model: tf.GraphModel, composite: Required<LrpComposite>, params: RuleParams, x: tf.Tensor): NodeRule {
  refuseUnsupportedNodes("lrp", model, scoreNode(model), NODE_RULE_COVERS);
  const { nodes, input } = graphInfo(model);
  const weights = (model as unknown as { executor: { weightMap: Record<string, tf.Tensor[] | undefined> } }).executor.weightMap;
  const constant = (n: GraphNode | undefined) => (n?.op === "Const" ? weights[n.name]?.[0] : undefined);
  const dataInputs = (n: GraphNode) => n.inputNames.filter((i) => !i.startsWith("^")).map((i) => nodes.get(baseName(i))!);
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
  return ({ node: name, op, part, inputs, weights: w, apply }) => {
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
    if (op === "AvgPool" || op === "Mean") {
      const rest = inputs.slice(1);
      return linear({ kind: "norm", kernel: ONE(), bias: null, run: (a, k) => tf.mul(apply([a, ...rest]), k) }, inputs[0], false);
    }
    return undefined; // MaxPool: the gradient goes to each window's winner
  };
}
