import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { activationName, isModel } from "./layers";
import { baseName, GraphNode, graphInfo, nodeShape, scoreNode } from "./graph";
import { isGraphModel, Model } from "./kind";

/**
 * The head CAM needs: global average pooling of a feature map, then a linear layer to the scores.
 * `pooled` is the layer (node) whose activations are pooled, `scores` the one that outputs the
 * pre-activation scores, and `kernel()` the [K, C] weights from pooled channels to scores.
 */
export interface CamHead {
  pooled: string;
  scores: string;
  kernel(): tf.Tensor2D;
}

const NOT_CAM =
  "CAM needs a model that ends in GlobalAveragePooling2D → Dense (optionally with softmax; in a GraphModel: Mean over the spatial axes → MatMul); ";

export function camHead(model: Model): CamHead {
  return isGraphModel(model) ? graphHead(model) : layersHead(model);
}

// ---- LayersModel: GlobalAveragePooling2D → (Dropout) → Dense (→ Softmax) ----

type Sym = tf.SymbolicTensor;
interface Node {
  inputTensors: Sym[];
}

/** The layer that produced `s`, looking inside nested models. */
function producer(s: Sym): { layer: tf.layers.Layer; sym: Sym } {
  const layer = s.sourceLayer as tf.layers.Layer;
  return isModel(layer) ? producer(layer.outputs[s.tensorIndex]) : { layer, sym: s };
}

/** The symbolic input of the layer that produced `s`. */
function inputOf(s: Sym): Sym {
  const node = (s.sourceLayer as unknown as { inboundNodes: Node[] }).inboundNodes[s.nodeIndex];
  if (node.inputTensors.length !== 1)
    fail(
      `layer ${s.sourceLayer.name} has ${node.inputTensors.length} inputs; CAM needs a single chain GAP → Dense at the end of the model.`,
    );
  return node.inputTensors[0];
}

function layersHead(model: tf.LayersModel): CamHead {
  let { layer, sym } = producer(model.outputs[0]);
  const isSoftmaxLayer = (l: tf.layers.Layer) =>
    l.getClassName() === "Softmax" || (l.getClassName() === "Activation" && activationName(l) === "softmax");
  const finalSoftmax = isSoftmaxLayer(layer);
  if (finalSoftmax) ({ layer, sym } = producer(inputOf(sym)));
  if (layer.getClassName() !== "Dense") {
    fail(`${NOT_CAM}this one ends in ${layer.getClassName()} "${layer.name}". Use dv.gradCam, which works on any CNN.`);
  }
  const act = activationName(layer) ?? "linear";
  if (!(act === "linear" || (act === "softmax" && !finalSoftmax))) {
    fail(`${NOT_CAM}its dense layer "${layer.name}" has activation ${act}. Use dv.gradCam instead.`);
  }
  const dense = layer;
  ({ layer, sym } = producer(inputOf(sym)));
  while (layer.getClassName() === "Dropout") ({ layer, sym } = producer(inputOf(sym)));
  if (layer.getClassName() !== "GlobalAveragePooling2D") {
    fail(
      `${NOT_CAM}the dense layer "${dense.name}" reads ${layer.getClassName()} "${layer.name}". Use dv.gradCam, which works on any CNN.`,
    );
  }
  const pooled = producer(inputOf(sym)).layer;
  if (pooled.getClassName() === "InputLayer")
    fail(`${NOT_CAM}here the pooling reads the input directly, so there is no feature map.`);
  return {
    pooled: pooled.name,
    scores: dense.name,
    kernel: () => (dense as unknown as { kernel: { read(): tf.Tensor2D } }).kernel.read(),
  };
}

// ---- GraphModel: Mean over the spatial axes → (MatMul + bias) ----

/**
 * Walks back from the score node: an optional bias add, an optional MatMul with constant weights
 * (the dense layer; without one, the pooled channels are the scores and the kernel is the identity),
 * then a Mean over axes 1 and 2 (global average pooling).
 */
function graphHead(model: tf.GraphModel): CamHead {
  const info = graphInfo(model);
  const weights = (model as unknown as { executor: { weightMap: Record<string, tf.Tensor[] | undefined> } }).executor.weightMap;
  const constant = (n: GraphNode | undefined) => (n?.op === "Const" ? weights[n.name]?.[0] : undefined);
  const data = (n: GraphNode) => n.inputNames.filter((i) => !i.startsWith("^")).map((i) => info.nodes.get(baseName(i))!);
  const scores = scoreNode(model);
  let node = info.nodes.get(scores)!;
  if ((node.op === "BiasAdd" || node.op === "Add" || node.op === "AddV2") && data(node).some((n) => constant(n))) {
    node = data(node).find((n) => !constant(n)) ?? node;
  }
  let kernel: (() => tf.Tensor2D) | undefined;
  if (node.op === "MatMul" || node.op === "_FusedMatMul") {
    const fusedActivation = ((node.attrParams.fusedOps?.value as string[] | undefined) ?? [])[1];
    if (fusedActivation)
      fail(`${NOT_CAM}its dense node "${node.name}" applies ${fusedActivation} to its scores. Use dv.gradCam instead.`);
    const w = constant(data(node)[1]);
    if (!w || w.rank !== 2) fail(`${NOT_CAM}its MatMul "${node.name}" has no constant 2-D weights. Use dv.gradCam instead.`);
    const transposed = node.attrParams.transposeB?.value === true;
    kernel = () => (transposed ? tf.transpose(w) : tf.clone(w)) as tf.Tensor2D;
    node = data(node)[0];
  }
  while (node.op === "Reshape" || node.op === "Squeeze" || node.op === "Identity") node = data(node)[0];
  const axes = node.op === "Mean" ? constant(data(node)[1]) : undefined;
  const axesList = axes ? Array.from(axes.dataSync()) : [];
  if (node.op !== "Mean" || axesList.length !== 2 || !axesList.includes(1) || !axesList.includes(2)) {
    fail(
      `${NOT_CAM}this GraphModel's scores come from ${node.op} "${node.name}", not from a mean over the spatial axes. Use dv.gradCam, which works on any CNN.`,
    );
  }
  const pooled = data(node)[0];
  if (pooled.op === "Placeholder") fail(`${NOT_CAM}here the pooling reads the input directly, so there is no feature map.`);
  return { pooled: pooled.name, scores, kernel: kernel ?? (() => tf.eye(scoresWidth(model, scores)) as tf.Tensor2D) };
}

function scoresWidth(model: tf.GraphModel, scores: string): number {
  const s = nodeShape(model, scores);
  if (!s || s.length !== 2 || s[1] == null) fail(`${NOT_CAM}its scores "${scores}" are not one vector per example.`);
  return s[1];
}
