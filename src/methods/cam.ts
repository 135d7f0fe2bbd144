import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { activationName, isModel, LayerRef, resolveLayer } from "../model/layers";
import { assertLayersModel } from "../model/validate";
import { camInfo, CamOptions, upsample, upsampleMode, weightedSum } from "./cam-maps";
import { explain } from "./explain";
import { layerGradient } from "./gradients";

export interface ClassActivationMapOptions extends Omit<CamOptions, "layer"> {
  /** Optional: CAM always reads the layer that the global average pooling pools; naming another is an error. */
  layer?: LayerRef;
}

type Sym = tf.SymbolicTensor;
interface Node { inputTensors: Sym[] }

/** The layer that produced `s`, looking inside nested models. */
function producer(s: Sym): { layer: tf.layers.Layer; sym: Sym } {
  const layer = s.sourceLayer as tf.layers.Layer;
  return isModel(layer) ? producer(layer.outputs[s.tensorIndex]) : { layer, sym: s };
}

/** The symbolic input of the layer that produced `s`. */
function inputOf(s: Sym): Sym {
  const node = (s.sourceLayer as unknown as { inboundNodes: Node[] }).inboundNodes[s.nodeIndex];
  if (node.inputTensors.length !== 1) fail(`layer ${s.sourceLayer.name} has ${node.inputTensors.length} inputs; CAM needs a single chain GAP → Dense at the end of the model.`);
  return node.inputTensors[0];
}

const NOT_CAM = "CAM needs a model that ends in GlobalAveragePooling2D → Dense (optionally with softmax); ";

/** The dense head and the layer whose activations it pools, or a DeepVizError saying what is there. */
function camHead(model: tf.LayersModel): { dense: tf.layers.Layer; pooled: tf.layers.Layer } {
  let { layer, sym } = producer(model.outputs[0]);
  const isSoftmaxLayer = (l: tf.layers.Layer) => l.getClassName() === "Softmax" ||
    (l.getClassName() === "Activation" && activationName(l) === "softmax");
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
    fail(`${NOT_CAM}the dense layer "${dense.name}" reads ${layer.getClassName()} "${layer.name}". Use dv.gradCam, which works on any CNN.`);
  }
  const pooled = producer(inputOf(sym)).layer;
  if (pooled.getClassName() === "InputLayer") fail(`${NOT_CAM}here the pooling reads the input directly, so there is no feature map.`);
  return { dense, pooled };
}

/**
 * CAM (Zhou et al. 2016) for a model ending in global average pooling + dense (+ softmax):
 * map = Σ_k W[k, c] A_k, where A is the pooled layer's output and W the dense kernel; no ReLU by
 * default (as in the paper; `relu: true` adds it). The dense bias is left out. For a function target,
 * W[k, c] becomes Σ_c W[k, c] ∂score/∂logit_c, which is W[k, c] itself for a class target.
 * `info.layer` names the pooled layer. Shapes as in dv.gradCam.
 */
export async function cam(model: tf.LayersModel, input: tf.Tensor, options: ClassActivationMapOptions = {}): Promise<Attribution> {
  assertLayersModel(model);
  const { dense, pooled } = camHead(model);
  if (options.layer !== undefined && options.layer !== "lastConv" && resolveLayer(model, options.layer) !== pooled) {
    fail(`CAM reads the layer that the global average pooling pools, "${pooled.name}"; for layer ` +
      `"${resolveLayer(model, options.layer).name}" use dv.gradCam, which takes any layer.`);
  }
  const mode = upsampleMode(options.upsample);
  const relu = options.relu ?? false;
  return explain("cam", model, input, options, ({ model, x, target, allRows }) => {
    const { gradients, activations } = layerGradient(model, x, [pooled.name, dense.name], target.score, allRows);
    const kernel = (dense as unknown as { kernel: { read(): tf.Tensor2D } }).kernel.read();
    const dScore = tf.reshape(gradients[1], [x.shape[0], -1]) as tf.Tensor2D;
    const weights = tf.matMul(dScore, kernel, false, true); // [B, C] · [K, C]ᵀ → [B, K]
    const sum = weightedSum(activations[0], weights);
    tf.dispose(activations);
    return { values: upsample(relu ? tf.relu(sum) : sum, x, mode), info: camInfo([pooled.name], relu, mode) };
  });
}
