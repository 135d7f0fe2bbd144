/** Moving tensors into the flat arrays the views take (image bytes, channel-first maps). */
import * as tf from "@tensorflow/tfjs";
import { isGraphModel, Model } from "../../../src/model/kind";
import { DeepVizError } from "../../../src/errors";
import { layerActivation } from "../../../src/methods/layer-methods";
import { listLayers, LayerInfo } from "../../../src/model/layers";

/** An HWC image (1, 3 or 4 channels; [0, 1], or [0, 255] when its maximum is above 1) as RGBA bytes. */
export async function imageBytes(image: tf.Tensor): Promise<{ rgba: Uint8Array; width: number; height: number }> {
  if (image.rank !== 3 || ![1, 3, 4].includes(image.shape[2]!)) {
    throw new DeepVizError(
      `the image must be one HWC tensor with 1, 3 or 4 channels (no batch axis); got shape [${image.shape.join(", ")}]`,
    );
  }
  const [height, width, channels] = image.shape as [number, number, number];
  const bytes = tf.tidy(() => {
    const max = tf.max(image).dataSync()[0];
    const scaled = max > 1 ? image : tf.mul(image, 255);
    return tf.cast(tf.clipByValue(tf.round(scaled), 0, 255), "int32");
  });
  const values = await bytes.data();
  bytes.dispose();
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = values[p * channels + (channels === 1 ? 0 : c)];
    rgba[p * 4 + 3] = channels === 4 ? values[p * 4 + 3] : 255;
  }
  return { rgba, width, height };
}

/** Reduce an attribution (HWC, or HW) to one HW map: sum over channels, absolute first if asked. */
export async function mapOf(values: tf.Tensor, abs = false): Promise<{ map: Float32Array; width: number; height: number }> {
  const t = tf.tidy(() => {
    let v = values.rank === 4 && values.shape[0] === 1 ? tf.squeeze(values, [0]) : values;
    if (abs) v = tf.abs(v);
    return v.rank === 3 ? tf.sum(v, 2) : v.clone();
  });
  if (t.rank !== 2) {
    t.dispose();
    throw new DeepVizError(`expected an image-shaped attribution (HWC or HW), got shape [${values.shape.join(", ")}]`);
  }
  const map = (await t.data()) as Float32Array;
  const [height, width] = t.shape as [number, number];
  t.dispose();
  return { map, width, height };
}

/** Layers whose output has spatial axes (NHWC): the ones a feature-map view can show. */
export function spatialLayers(model: Model): LayerInfo[] {
  const layers = listLayers(model).filter((l) => l.outputShape.length === 4);
  if (!layers.length) throw new DeepVizError("this model has no layer with spatial axes (no conv or pooling layer) to explore");
  return layers;
}

export interface Maps {
  /** float32 [channels, height, width] */
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

/** Activations of layers for one image, computed once per layer and kept channel-first. */
export class ActivationCache {
  private cache = new Map<string, Maps>();
  constructor(
    private readonly model: Model,
    private readonly image: tf.Tensor,
  ) {}

  has(layer: string): boolean {
    return this.cache.has(layer);
  }

  peek(layer: string): Maps | undefined {
    return this.cache.get(layer);
  }

  async get(layer: string): Promise<Maps> {
    const hit = this.cache.get(layer);
    if (hit) return hit;
    const act = await layerActivation(this.model, this.image, { layer });
    const chw = tf.tidy(() => tf.transpose(act.values, [2, 0, 1]));
    act.dispose();
    const [channels, height, width] = chw.shape as [number, number, number];
    const data = (await chw.data()) as Float32Array;
    chw.dispose();
    const maps = { data, channels, height, width };
    this.cache.set(layer, maps);
    return maps;
  }
}

/** One channel of channel-first maps. */
export function channelOf(maps: Maps, channel: number): Float32Array {
  const n = maps.height * maps.width;
  return maps.data.subarray(channel * n, (channel + 1) * n);
}

/** The kernel slices of one output channel of a conv layer, [in, kh, kw]; null for layers without one. */
export function filterOf(model: Model, layerName: string, channel: number): Maps | null {
  if (isGraphModel(model)) return null; // a node's weights are not tied to it as a layer's are
  const layer = model.getLayer(layerName);
  const weights = layer.getWeights();
  if (!/Conv2D$/.test(layer.getClassName()) || !weights.length || weights[0].rank !== 4) return null;
  const [kh, kw, inCh, outCh] = weights[0].shape as [number, number, number, number];
  if (channel >= outCh) return null;
  const slice = tf.tidy(() =>
    tf.transpose(tf.squeeze(tf.slice(weights[0], [0, 0, 0, channel], [kh, kw, inCh, 1]), [3]), [2, 0, 1]),
  );
  const data = slice.dataSync() as Float32Array;
  slice.dispose();
  return { data, channels: inCh, height: kh, width: kw };
}
