import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { assertModel } from "./validate";
import { Model, isGraphModel } from "./kind";
import { channelsFirstReason, graphInfo, graphNode, isConvLike, nodeShape } from "./graph";

export interface LayerInfo {
  index: number;
  name: string;
  className: string;
  /** Output shape with the batch axis as null. */
  outputShape: (number | null)[];
  params: number;
  /** The activation fused into the layer (conv, dense), if any. */
  activation?: string;
  /** A convolution (what "lastConv" looks for). */
  convLike: boolean;
}

/**
 * A layer as the methods see it: a tf.layers.Layer of a LayersModel, or a node of a GraphModel
 * (className is the node's op; the output shape is measured once, batch axis null).
 */
export interface ModelLayer {
  name: string;
  outputShape: tf.Shape | tf.Shape[];
  getClassName(): string;
  countParams(): number;
}

class GraphLayer implements ModelLayer {
  constructor(
    readonly name: string,
    private readonly op: string,
    readonly outputShape: tf.Shape,
    private readonly params: number,
  ) {}
  getClassName(): string {
    return this.op;
  }
  countParams(): number {
    return this.params;
  }
}

const graphLayers = new WeakMap<object, GraphLayer[]>();

/** Every nameable node of a GraphModel as a layer, in execution order (one object per node, cached). */
function graphModelLayers(model: tf.GraphModel): GraphLayer[] {
  const info = graphInfo(model);
  const cached = graphLayers.get(info);
  if (cached) return cached;
  const layers = info.order.map((name) => {
    const node = info.nodes.get(name)!;
    const params = node.inputs
      .filter((n) => n.op === "Const")
      .map((n) => {
        const shape = (n.attrParams as { shape?: { value?: number[] } }).shape?.value ?? weightShape(model, n.name);
        return shape.reduce((a, d) => a * d, 1);
      })
      .reduce((a, b) => a + b, 0);
    return new GraphLayer(name, node.op, nodeShape(model, name) ?? [], params);
  });
  graphLayers.set(info, layers);
  return layers;
}

function weightShape(model: tf.GraphModel, name: string): number[] {
  const w = (model as unknown as { executor: { weightMap: Record<string, tf.Tensor[] | undefined> } }).executor.weightMap[name];
  return w?.[0]?.shape ?? [0];
}

/** Layers a user can name, in execution order; input layers are left out. Nested models are flattened. */
export function modelLayers(model: tf.LayersModel): tf.layers.Layer[];
export function modelLayers(model: Model): ModelLayer[];
export function modelLayers(model: Model): ModelLayer[] {
  if (isGraphModel(model)) return graphModelLayers(model);
  const out: tf.layers.Layer[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === "InputLayer") continue;
    if (isModel(layer)) out.push(...modelLayers(layer));
    else out.push(layer);
  }
  return out;
}

export function isModel(layer: tf.layers.Layer): layer is tf.LayersModel {
  return Array.isArray((layer as unknown as tf.LayersModel).layers);
}

export function activationName(layer: tf.layers.Layer): string | undefined {
  const act = (layer as unknown as { activation?: { getClassName(): string } }).activation;
  return act?.getClassName?.();
}

function outputShape(layer: ModelLayer): (number | null)[] {
  const s = layer.outputShape;
  return (Array.isArray(s[0]) ? s[0] : s) as (number | null)[];
}

/**
 * Name, class, output shape and parameter count of every layer; for a GraphModel, of every node
 * (className is its op, `activation` the fused activation, output shapes measured on one example).
 */
export function listLayers(model: Model): LayerInfo[] {
  assertModel(model);
  const graph = isGraphModel(model);
  return modelLayers(model).map((layer, index) => ({
    index,
    name: layer.name,
    className: layer.getClassName(),
    outputShape: outputShape(layer),
    params: layer.countParams(),
    activation: graph ? fusedActivation(model, layer.name) : activationName(layer as tf.layers.Layer),
    convLike: isConv(model, layer),
  }));
}

function fusedActivation(model: tf.GraphModel, name: string): string | undefined {
  const fused = (graphNode(model, name).attrParams.fusedOps?.value as string[] | undefined) ?? [];
  return fused[1];
}

function isConv(model: Model, layer: ModelLayer): boolean {
  return isGraphModel(model) ? isConvLike(layer.getClassName()) : /Conv/.test(layer.getClassName());
}

/**
 * A layer by name (a node name for a GraphModel), by index into listLayers, or "lastConv" (the last
 * convolution with spatial axes).
 */
export type LayerRef = string | number | ModelLayer;

export function hasSpatialAxes(layer: ModelLayer): boolean {
  return outputShape(layer).length >= 4;
}

/**
 * Fails for a layer whose output is not [batch, ...spatial, channels], the layout every CAM method
 * and map upsampling assumes: a channels-first conv (a GraphModel converted from ONNX, a Keras
 * layer with dataFormat "channelsFirst") would give a map over the wrong axes.
 */
export function assertChannelsLast(model: Model, layer: ModelLayer): void {
  const reason = isGraphModel(model)
    ? channelsFirstReason(model, layer.name)
    : (layer as unknown as { dataFormat?: string }).dataFormat === "channelsFirst"
      ? `layer "${layer.name}" has dataFormat "channelsFirst"`
      : undefined;
  if (reason) {
    fail(
      `${reason}, but CAM methods read feature maps as [height, width, channels] and would mix up the axes. ` +
        "Choose a channels-last (NHWC) layer (dv.listLayers(model) lists them), or use an input-gradient method " +
        "(dv.saliency, dv.integratedGradients, dv.occlusion); channels-first layers are not supported by CAM methods yet.",
    );
  }
}

export function resolveLayer(model: tf.LayersModel, ref: LayerRef): tf.layers.Layer;
export function resolveLayer(model: Model, ref: LayerRef): ModelLayer;
export function resolveLayer(model: Model, ref: LayerRef): ModelLayer {
  const layers: ModelLayer[] = modelLayers(model);
  if (typeof ref === "object" && ref !== null) {
    if (layers.includes(ref)) return ref;
    fail(`layer ${ref.name} does not belong to this model. Layers: ${layers.map((l) => l.name).join(", ")}.`);
  }
  if (ref === "lastConv") {
    const convs = layers.filter((l) => isConv(model, l) && hasSpatialAxes(l));
    const spatial = convs.length ? convs : layers.filter(hasSpatialAxes);
    if (!spatial.length)
      fail("this model has no layer with spatial axes (no conv layer), so there is no default layer for a class activation map.");
    return spatial[spatial.length - 1];
  }
  if (typeof ref === "number") {
    const i = ref < 0 ? layers.length + ref : ref;
    if (!Number.isInteger(ref) || i < 0 || i >= layers.length) {
      fail(`layer index ${ref} is out of range: the model has ${layers.length} layers (0..${layers.length - 1}).`);
    }
    return layers[i];
  }
  if (isGraphModel(model)) {
    const name = graphNode(model, ref).name; // unknown names fail here, listing the closest nodes
    return (
      layers.find((l) => l.name === name) ??
      fail(`node "${ref}" (op ${graphNode(model, ref).op}) holds no feature map to explain; choose a computed node.`)
    );
  }
  const found = layers.find((l) => l.name === ref);
  if (!found) fail(`no layer named "${ref}". Layers: ${layers.map((l) => l.name).join(", ")}.`);
  return found;
}
