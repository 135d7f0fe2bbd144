import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { backend } from "../backend";
import { fail } from "../errors";
import { LayerRef } from "../model/layers";
import { layerActivations } from "./activations";
import { EmbedMethod, Embedding, EmbeddingInfo, Label } from "./embedding";
import { pcaProject } from "./pca";
import { Points, PointsInput, toPoints } from "./points";
import { RunControl } from "./progress";
import { makeThumbnails } from "./thumbnails";
import { tsne, TsneOptions } from "./tsne";
import { umap, UmapOptions } from "./umap";

/** Activations of `layer` (name or index) for `images`, computed by embed() itself. */
export interface ModelActivations {
  model: Model;
  /** Layer name, index (see dv.listLayers) or "lastConv". */
  layer: LayerRef;
  images: tf.Tensor;
}

export interface EmbedOptions
  extends
    RunControl,
    Omit<TsneOptions, "dims" | "onProgress" | "signal">,
    Omit<UmapOptions, "dims" | "seed" | "onProgress" | "signal"> {
  method?: EmbedMethod;
  dims?: 2 | 3;
  /** One label per point (class index or name): colours the plot. A tensor may hold indices or one-hot rows. */
  labels?: Label[] | tf.Tensor;
  /** Names for integer labels (labels[i] = 3 shows as classNames[3]). */
  classNames?: string[];
  /** Images [N, H, W, C] to show as thumbnails on hover (defaults to the images of a model input). */
  images?: tf.Tensor;
  /** Longest side of the kept thumbnails in pixels (default 32). */
  thumbnailSize?: number;
}

function isModelActivations(x: unknown): x is ModelActivations {
  return typeof x === "object" && x !== null && "model" in x && "layer" in x && "images" in x;
}

function readLabels(labels: Label[] | tf.Tensor, n: number, classNames?: string[]): Label[] {
  let out: Label[];
  if (labels instanceof tf.Tensor) {
    if (labels.rank === 1) out = Array.from(labels.dataSync());
    else if (labels.rank === 2) out = tf.tidy(() => Array.from(labels.argMax(1).dataSync()));
    else fail(`labels tensor must be 1-D (class indices) or 2-D (one-hot rows); got shape [${labels.shape.join(", ")}].`);
  } else if (Array.isArray(labels)) {
    out = labels.slice();
  } else {
    fail(`labels must be an array or a tensor; got ${typeof labels}.`);
  }
  if (out.length !== n) fail(`labels has ${out.length} entries but there are ${n} points; give one label per point.`);
  if (classNames) out = out.map((l) => (typeof l === "number" && classNames[l] !== undefined ? classNames[l] : l));
  return out;
}

/**
 * Reduces activations (a tensor [N, ...], rows number[][], or { model, layer, images }) to 2 or 3
 * dimensions with t-SNE (default), PCA or UMAP. Returns an Embedding that displays itself as a scatter
 * plot coloured by label, with each point's image on hover when images are known.
 */
export async function embed(input: PointsInput | ModelActivations, options: EmbedOptions = {}): Promise<Embedding> {
  await backend();
  const started = Date.now();
  const method = options.method ?? "tsne";
  const dims = options.dims ?? 2;
  if (!["tsne", "pca", "umap"].includes(method)) fail(`method must be "tsne", "pca" or "umap"; got ${JSON.stringify(method)}.`);
  if (dims !== 2 && dims !== 3) fail(`dims must be 2 or 3; got ${dims}.`);

  let points: Points;
  let images = options.images;
  let layer: string | undefined;
  if (isModelActivations(input)) {
    const acts = await layerActivations(input.model, input.layer, input.images, {
      signal: options.signal,
      progress: options.progress,
    });
    try {
      points = toPoints(acts.values, "activations");
    } finally {
      acts.values.dispose();
    }
    images = images ?? input.images;
    layer = acts.layer;
  } else {
    if (input === null || input === undefined)
      fail("embed needs activations: a tensor [N, ...], an array of rows, or { model, layer, images }.");
    points = toPoints(input as PointsInput, "activations");
  }
  if (points.n < 2) fail(`embed needs at least 2 points; got ${points.n}.`);
  const labels = options.labels !== undefined ? readLabels(options.labels, points.n, options.classNames) : null;
  if (images && images.shape[0] !== points.n)
    fail(`images has ${images.shape[0]} items but there are ${points.n} points; give one image per point.`);

  const control: RunControl = { onProgress: options.onProgress, signal: options.signal, progress: options.progress };
  let coords: Float64Array;
  const info: EmbeddingInfo = { inputDims: points.d, seconds: 0 };
  if (layer !== undefined) info.layer = layer;
  if (method === "pca") {
    if (dims > points.d) fail(`PCA to ${dims} dims needs at least ${dims} features per point; got ${points.d}.`);
    const result = pcaProject(points, dims);
    coords = result.coords;
    info.explainedVarianceRatio = Array.from(result.explainedVarianceRatio);
  } else if (method === "tsne") {
    const result = await tsne(points, { ...options, ...control, dims });
    coords = result.coords;
    Object.assign(info, {
      iterations: result.iterations,
      stoppedEarly: result.stoppedEarly,
      klDivergence: result.klDivergence,
      perplexity: options.perplexity ?? 30,
    });
  } else {
    const result = await umap(points, { ...options, ...control, dims });
    coords = result.coords;
    Object.assign(info, { iterations: result.epochs, stoppedEarly: result.stoppedEarly });
  }
  const thumbnails = images ? makeThumbnails(images, options.thumbnailSize ?? 32) : null;
  info.seconds = (Date.now() - started) / 1000;
  return new Embedding(Float32Array.from(coords), points.n, dims, method, labels, info, thumbnails);
}
