import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { closeMatches } from "./fuzzy";

/**
 * What DeepViz reads from a tf.GraphModel's executor: its nodes in execution order, its input, the
 * output being explained, and the shape of every node (from one probe run). This reads tfjs-converter
 * internals (`executor.graph.nodes`), which is why @tensorflow/tfjs is pinned.
 */
export interface GraphNode {
  name: string;
  op: string;
  category: string;
  inputNames: string[];
  inputs: GraphNode[];
  children: GraphNode[];
  attrParams: Record<string, { value: unknown }>;
}

export interface GraphInfo {
  nodes: Map<string, GraphNode>;
  /** Nodes a user can name (not weights, not inputs), in execution order. */
  order: string[];
  position: Map<string, number>;
  input: string;
  /** [batch, ...item]; null where the model accepts any size. */
  inputShape: (number | null)[];
  outputs: string[];
}

const CONV_OPS = new Set([
  "Conv2D",
  "_FusedConv2D",
  "DepthwiseConv2dNative",
  "FusedDepthwiseConv2dNative",
  "Conv2DBackpropInput",
  "Conv3D",
]);
/** Activations and wrappers a final score passes through; the scores are what comes before them. */
const FINAL_ACTIVATIONS = new Set(["Softmax", "Sigmoid", "Identity", "IdentityN"]);
/** Ops whose value does not hold a feature map or score (weights, shapes, control flow). */
const NOT_NAMEABLE = new Set(["Const", "Placeholder", "NoOp", "Shape", "Size", "Rank"]);
const DYNAMIC_OPS =
  /^(Enter|Exit|Merge|Switch|NextIteration|LoopCond|While|StatelessWhile|If|StatelessIf|NonMaxSuppressionV\d|Where|TensorList.*|TensorArray.*)$/;

export const isConvLike = (op: string) => CONV_OPS.has(op);

/** The executor's graph; a GraphModel that was never loaded has none. */
function executorGraph(model: tf.GraphModel): { nodes: Record<string, GraphNode> } {
  const executor = (model as unknown as { executor?: { graph?: { nodes: Record<string, GraphNode> } } }).executor;
  if (!executor?.graph)
    fail("this tf.GraphModel has no graph yet: load it with tf.loadGraphModel or dv.loadModel before explaining it.");
  return executor.graph;
}

const infos = new WeakMap<object, GraphInfo>();

/** Node name without an output index (`name:1`) or control marker (`^name`). */
export const baseName = (input: string) => input.replace(/^\^/, "").replace(/:\d+$/, "");

export function graphInfo(model: tf.GraphModel): GraphInfo {
  const graph = executorGraph(model);
  const cached = infos.get(graph);
  if (cached) return cached;
  if (model.inputs.length !== 1) {
    fail(
      `this GraphModel has ${model.inputs.length} inputs (${model.inputs.map((i) => i.name).join(", ")}); DeepViz explains single-input models.`,
    );
  }
  const nodes = new Map(Object.values(graph.nodes).map((n) => [n.name, n] as [string, GraphNode]));
  const dynamic = [...nodes.values()].find((n) => DYNAMIC_OPS.test(n.op));
  if (dynamic) {
    fail(
      `this GraphModel has control flow or dynamic shapes (node "${dynamic.name}", op ${dynamic.op}), ` +
        "so it cannot run synchronously under a gradient; DeepViz explains feed-forward graphs.",
    );
  }
  const order = topologicalOrder(nodes).filter((name) => !NOT_NAMEABLE.has(nodes.get(name)!.op));
  const input = model.inputs[0];
  const info: GraphInfo = {
    nodes,
    order,
    position: new Map(order.map((n, i) => [n, i])),
    input: baseName(input.name),
    inputShape: (input.shape ?? []).map((d) => (d == null || d < 0 ? null : d)),
    outputs: model.outputs.map((o) => baseName(o.name)),
  };
  infos.set(graph, info);
  return info;
}

function topologicalOrder(nodes: Map<string, GraphNode>): string[] {
  const seen = new Set<string>();
  const order: string[] = [];
  const visit = (start: string) => {
    // iterative depth-first search: graphs can be deeper than the call stack
    const stack: [string, number][] = [[start, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const node = nodes.get(top[0]);
      const deps = node ? node.inputNames.map(baseName) : [];
      if (top[1] === 0 && seen.has(top[0])) {
        stack.pop();
        continue;
      }
      seen.add(top[0]);
      if (top[1] < deps.length) {
        const next = deps[top[1]++];
        if (!seen.has(next)) stack.push([next, 0]);
      } else {
        stack.pop();
        if (node) order.push(node.name);
      }
    }
  };
  for (const name of nodes.keys()) visit(name);
  return order;
}

/** A node by name (also accepting "name:0"), or a DeepVizError listing the closest node names. */
export function graphNode(model: tf.GraphModel, name: string): GraphNode {
  const info = graphInfo(model);
  const node = info.nodes.get(baseName(name));
  if (!node || (NOT_NAMEABLE.has(node.op) && node.name !== info.input)) {
    fail(
      `no node named "${name}" in this GraphModel. Closest: ${closeMatches(name, info.order).join(", ")}. ` +
        "dv.listLayers(model) lists every node.",
    );
  }
  return node;
}

// ---- which output is explained ----

const CHOSEN_OUTPUT = Symbol("deepviz.output");

/**
 * The GraphModel with one of its outputs chosen (by name or index into model.outputs) for every
 * DeepViz method. The result shares the model's graph and weights; the original is unchanged.
 */
export function selectOutput(model: tf.GraphModel, output: string | number): tf.GraphModel {
  const info = graphInfo(model);
  let name: string;
  if (typeof output === "number") {
    if (!Number.isInteger(output) || output < 0 || output >= info.outputs.length) {
      fail(
        `output index ${output} is out of range: the model has ${info.outputs.length} outputs (${info.outputs.map((o, i) => `${i}: ${o}`).join(", ")}).`,
      );
    }
    name = info.outputs[output];
  } else {
    name = graphNode(model, output).name;
  }
  const view = Object.create(model) as tf.GraphModel;
  Object.defineProperty(view, CHOSEN_OUTPUT, { value: name });
  return view;
}

/** The output node being explained: the chosen one, or the only one. */
export function outputNode(model: tf.GraphModel): string {
  const chosen = (model as unknown as Record<symbol, string | undefined>)[CHOSEN_OUTPUT];
  if (chosen) return chosen;
  const { outputs } = graphInfo(model);
  if (outputs.length !== 1) {
    fail(
      `this GraphModel has ${outputs.length} outputs (${outputs.map((o, i) => `${i}: ${o}`).join(", ")}); choose the one ` +
        "to explain with dv.selectOutput(model, nameOrIndex) or dv.loadModel(source, { output }).",
    );
  }
  return outputs[0];
}

/** The node holding the pre-activation scores: walk back from the output through Softmax / Sigmoid / Identity. */
export function scoreNode(model: tf.GraphModel): string {
  const info = graphInfo(model);
  let node = info.nodes.get(outputNode(model))!;
  while (FINAL_ACTIVATIONS.has(node.op)) {
    const data = node.inputNames.filter((n) => !n.startsWith("^"));
    if (data.length !== 1) break;
    const prev = info.nodes.get(baseName(data[0]));
    if (!prev || prev.op === "Placeholder") break;
    node = prev;
  }
  return node.name;
}

/** The final activation the scores pass through on the way to the output, if any ("Softmax", "Sigmoid"). */
export function finalActivation(model: tf.GraphModel): string | undefined {
  const info = graphInfo(model);
  let node = info.nodes.get(outputNode(model))!;
  while (node.op === "Identity" || node.op === "IdentityN") node = info.nodes.get(baseName(node.inputNames[0])) ?? node;
  return node.op === "Softmax" || node.op === "Sigmoid" ? node.op : undefined;
}

// ---- shapes ----

const shapes = new WeakMap<GraphInfo, Map<string, number[]>>();

/**
 * The shape of every nameable node for one example, from one run on zeros (cached per model).
 * Empty when the input has a size that is only known at run time.
 */
export function nodeShapes(model: tf.GraphModel): Map<string, number[]> {
  const info = graphInfo(model);
  const cached = shapes.get(info);
  if (cached) return cached;
  const result = new Map<string, number[]>();
  if (info.inputShape.slice(1).every((d) => d != null)) {
    const dims = [1, ...info.inputShape.slice(1)] as number[];
    try {
      tf.tidy(() => {
        const dtype = (model.inputs[0].dtype ?? "float32") as tf.DataType;
        const out = model.execute({ [info.input]: tf.zeros(dims, dtype) }, info.order);
        const values = Array.isArray(out) ? out : [out];
        info.order.forEach((name, i) => result.set(name, values[i].shape));
      });
    } catch (e) {
      // wasm runs no channels-first convolution: the model cannot run here at all
      if (/channelsFirst/.test((e as Error).message ?? "")) {
        fail(
          `this GraphModel has channels-first (NCHW) convolutions, which the ${tf.getBackend()} backend cannot run: ` +
            `${(e as Error).message} Switch to the cpu or tensorflow backend (DEEPVIZ_BACKEND=cpu), or convert the model to NHWC.`,
        );
      }
      throw e;
    }
  }
  shapes.set(info, result);
  return result;
}

/** A node's output shape with the batch axis as null, or undefined where unknown. */
export function nodeShape(model: tf.GraphModel, name: string): (number | null)[] | undefined {
  const s = nodeShapes(model).get(name);
  if (!s) return undefined;
  return s.length >= 2 && s[0] === 1 ? [null, ...s.slice(1)] : s;
}

/** Ancestors test: whether `a` is computed before and feeds into `b`. */
export function feeds(info: GraphInfo, a: string, b: string): boolean {
  const stack = [b];
  const seen = new Set<string>();
  while (stack.length) {
    const name = stack.pop()!;
    if (name === a) return true;
    if (seen.has(name)) continue;
    seen.add(name);
    const node = info.nodes.get(name);
    if (node) for (const i of node.inputNames) stack.push(baseName(i));
  }
  return false;
}

// ---- layout ----

/** Ops that fix the layout of what they compute: those with a data_format attribute. */
const dataFormatOf = (node: GraphNode) => {
  const value = node.attrParams.dataFormat?.value;
  return typeof value === "string" ? value.toUpperCase() : undefined;
};

/**
 * Why a node's value may not be [batch, ...spatial, channels] (the layout every CAM method
 * assumes), or undefined when it is. Walks back from the node to the nearest ops that fix a layout
 * (convolutions, pools, bias adds: their data_format) or the input; a Transpose on the way (an ONNX
 * export's layout change) leaves the axes unknown, and then a shape like [C, H, H] with C ≠ H counts
 * as channels-first.
 */
export function channelsFirstReason(model: tf.GraphModel, name: string): string | undefined {
  const info = graphInfo(model);
  const seen = new Set<string>();
  const stack = [name];
  let transposed = false;
  while (stack.length) {
    const node = info.nodes.get(stack.pop()!);
    if (!node || seen.has(node.name) || node.op === "Const") continue;
    seen.add(node.name);
    const format = dataFormatOf(node);
    if (format?.startsWith("NC")) return `node "${node.name}" (${node.op}) computes channels-first (data_format ${format})`;
    if (format) continue;
    if (node.op === "Transpose") {
      transposed = true;
      continue;
    }
    if (node.op === "Placeholder") {
      const item = info.inputShape.slice(1);
      if (item.length === 3 && item[0] != null && item[0] <= 4 && (item[2] ?? 0) > 4) {
        return `the model's input [${item.join(", ")}] is channels-first`;
      }
      continue;
    }
    for (const input of node.inputNames) if (!input.startsWith("^")) stack.push(baseName(input));
  }
  const shape = nodeShape(model, name);
  if (transposed && shape?.length === 4 && shape[2] === shape[3] && shape[1] !== shape[3]) {
    return `node "${name}" comes after a Transpose and has shape [${shape.slice(1).join(", ")}], which reads as [channels, height, width]`;
  }
  return undefined;
}
