import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { assertLayersModel } from "./validate";

export interface LayerInfo {
  index: number;
  name: string;
  className: string;
  /** Output shape with the batch axis as null. */
  outputShape: (number | null)[];
  params: number;
  /** The activation fused into the layer (conv, dense), if any. */
  activation?: string;
}

/** Layers a user can name, in execution order; input layers are left out. Nested models are flattened. */
export function modelLayers(model: tf.LayersModel): tf.layers.Layer[] {
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

function outputShape(layer: tf.layers.Layer): (number | null)[] {
  const s = layer.outputShape;
  return (Array.isArray(s[0]) ? s[0] : s) as (number | null)[];
}

/** Name, class, output shape and parameter count of every layer. */
export function listLayers(model: tf.LayersModel): LayerInfo[] {
  assertLayersModel(model);
  return modelLayers(model).map((layer, index) => ({
    index,
    name: layer.name,
    className: layer.getClassName(),
    outputShape: outputShape(layer),
    params: layer.countParams(),
    activation: activationName(layer),
  }));
}

/** A layer by name, by index into listLayers, or "lastConv" (the last layer with spatial axes). */
export type LayerRef = string | number | tf.layers.Layer;

export function hasSpatialAxes(layer: tf.layers.Layer): boolean {
  return outputShape(layer).length >= 4;
}

export function resolveLayer(model: tf.LayersModel, ref: LayerRef): tf.layers.Layer {
  const layers = modelLayers(model);
  if (typeof ref === "object" && ref !== null) {
    if (layers.includes(ref)) return ref;
    fail(`layer ${ref.name} does not belong to this model. Layers: ${layers.map((l) => l.name).join(", ")}.`);
  }
  if (ref === "lastConv") {
    const convs = layers.filter((l) => /Conv/.test(l.getClassName()) && hasSpatialAxes(l));
    const spatial = convs.length ? convs : layers.filter(hasSpatialAxes);
    if (!spatial.length) fail("this model has no layer with spatial axes (no conv layer), so there is no default layer for a class activation map.");
    return spatial[spatial.length - 1];
  }
  if (typeof ref === "number") {
    const i = ref < 0 ? layers.length + ref : ref;
    if (!Number.isInteger(ref) || i < 0 || i >= layers.length) {
      fail(`layer index ${ref} is out of range: the model has ${layers.length} layers (0..${layers.length - 1}).`);
    }
    return layers[i];
  }
  const found = layers.find((l) => l.name === ref);
  if (!found) fail(`no layer named "${ref}". Layers: ${layers.map((l) => l.name).join(", ")}.`);
  return found;
}
