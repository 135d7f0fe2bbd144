import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { fail } from "../errors";
import { assertChannelsLast, hasSpatialAxes, LayerRef, resolveLayer } from "../model/layers";
import { Context, TargetOptions } from "./explain";

/** How a layer-sized map is brought to the input's size, or false to keep the layer's size. */
export type Upsample = "bilinear" | "nearest" | false;

export interface CamOptions extends TargetOptions {
  /**
   * The layer whose activations are weighted: a name, an index (see dv.listLayers) or "lastConv"
   * (default). Any layer with spatial axes works. A list gives the mean of each layer's map (each
   * upsampled to the input first, so with `upsample: false` the layers must have the same size).
   */
  layer?: LayerRef | LayerRef[];
  /** ReLU on the weighted sum, keeping only evidence for the target (default true, as in the papers). */
  relu?: boolean;
  /**
   * "bilinear" (default, half-pixel centres like OpenCV and PyTorch), "nearest", or false for the
   * layer-sized map. Upsampled maps have the input's spatial shape without channels: [H, W] for one
   * example, [B, H, W] for a batch.
   */
  upsample?: Upsample;
}

export function upsampleMode(value: unknown): Upsample {
  if (value === undefined || value === true || value === "bilinear") return "bilinear";
  if (value === "nearest" || value === false) return value;
  return fail(
    `unknown upsample mode ${JSON.stringify(value)}; use "bilinear" (default), "nearest", or false for the layer-sized map.`,
  );
}

/** The CAM layers named by `ref` (default "lastConv"), each checked to have spatial axes. */
export function camLayers(model: Model, ref: CamOptions["layer"]): string[] {
  const refs = Array.isArray(ref) ? ref : [ref ?? "lastConv"];
  if (refs.length === 0) fail('layer is an empty list; name at least one layer, or leave it out for "lastConv".');
  const names = refs.map((r) => {
    const layer = resolveLayer(model, r);
    if (!hasSpatialAxes(layer)) {
      const shape = (Array.isArray(layer.outputShape[0]) ? layer.outputShape[0] : layer.outputShape) as (number | null)[];
      fail(
        `layer ${layer.name} has output shape [${shape.map((d) => d ?? "batch").join(", ")}] with no spatial axes, ` +
          'so it has no map to show. Choose a convolutional layer (e.g. "lastConv") for a class activation map.',
      );
    }
    assertChannelsLast(model, layer);
    return layer.name;
  });
  return [...new Set(names)]; // a layer named twice counts once
}

/** The spatial axes of an activation [B, ...spatial, C]. */
export function spatialAxes(a: tf.Tensor): number[] {
  return Array.from({ length: a.rank - 2 }, (_, i) => i + 1);
}

/** Σ_k w[b, k] · A[b, ..., k]: weights [B, K] times activations [B, ...spatial, K] → [B, ...spatial]. */
export function weightedSum(activations: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  const [b, k] = weights.shape;
  const shape = [b, ...new Array(activations.rank - 2).fill(1), k];
  return tf.sum(tf.mul(activations, tf.reshape(weights, shape)), -1);
}

/** Resizes maps [B, h, w] to the input's [B, H, W] (or returns them unchanged for `false`). */
export function upsample(maps: tf.Tensor, x: tf.Tensor, mode: Upsample): tf.Tensor {
  if (mode === false) return maps;
  if (maps.rank !== 3 || x.rank !== 4) {
    fail(
      `upsampling needs a 2-D layer map and an image input [H, W, C]; this layer's map has shape ` +
        `[${maps.shape.slice(1).join(", ")}] and the input [${x.shape.slice(1).join(", ")}]. Use upsample: false.`,
    );
  }
  const size: [number, number] = [x.shape[1]!, x.shape[2]!];
  const images = tf.expandDims(maps, -1) as tf.Tensor4D;
  const resized =
    mode === "nearest"
      ? tf.image.resizeNearestNeighbor(images, size, false, true)
      : tf.image.resizeBilinear(images, size, false, true);
  return tf.squeeze(resized, [3]);
}

/** The mean of per-layer maps, which must agree in shape (they do once upsampled to the input). */
export function meanOfMaps(maps: tf.Tensor[], layers: string[]): tf.Tensor {
  if (maps.length === 1) return maps[0];
  const shape = maps[0].shape.join(",");
  maps.forEach((m, i) => {
    if (m.shape.join(",") !== shape) {
      fail(
        `layers ${layers[0]} and ${layers[i]} give maps of different sizes ([${maps[0].shape.slice(1).join(", ")}] ` +
          `and [${m.shape.slice(1).join(", ")}]), which cannot be averaged with upsample: false; upsample them to the input instead.`,
      );
    }
  });
  return tf.div(tf.addN(maps), maps.length);
}

/** Facts every CAM attribution records. */
export function camInfo(layers: string[], relu: boolean, mode: Upsample): Record<string, unknown> {
  return { layer: layers.join(", "), layers, relu, upsample: mode };
}

/**
 * The frame every layer CAM shares: resolve the layers and options, let `rawMaps` make one map
 * [B, ...spatial] per layer (before the ReLU), then ReLU, upsample and average them.
 */
export function layerCams(
  ctx: Context,
  options: CamOptions,
  rawMaps: (layers: string[]) => tf.Tensor[],
): { values: tf.Tensor; info: Record<string, unknown> } {
  const layers = camLayers(ctx.model, options.layer);
  const mode = upsampleMode(options.upsample);
  const relu = options.relu ?? true;
  const maps = rawMaps(layers).map((sum) => upsample(relu ? tf.relu(sum) : sum, ctx.x, mode));
  return { values: meanOfMaps(maps, layers), info: camInfo(layers, relu, mode) };
}
