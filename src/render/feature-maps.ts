import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { readTensor } from "./arrays";
import { colormap, Colormap, ColormapName } from "./colormaps";
import { composeGrid, Panel } from "./compose";
import { Picture } from "./picture";
import { heatmap } from "./views";

export interface FeatureMapOptions {
  /** Which channels: a list of indices, or the first n (default: all). */
  channels?: number[] | number;
  /** Scale each tile by its own min–max ("each", default) or all tiles by one ("together"). */
  normalize?: "each" | "together";
  cmap?: ColormapName | Colormap;
  columns?: number;
  /** Longest side of a tile in pixels (default: by tile count, 48 to 128). */
  cell?: number;
  /** Title each tile with its channel index (default: when tiles are at least 48 px). */
  titles?: boolean;
  title?: string;
  /** Colour bar beside each tile (its value range). */
  colorbar?: boolean;
  /** Which item of a batch (default 0). */
  index?: number;
}

export function chosenChannels(count: number, pick: number[] | number | undefined): number[] {
  if (pick === undefined) return Array.from({ length: count }, (_, i) => i);
  if (typeof pick === "number") {
    if (!(Number.isInteger(pick) && pick > 0)) fail(`channels must be a positive count or a list, got ${pick}.`);
    return Array.from({ length: Math.min(pick, count) }, (_, i) => i);
  }
  for (const c of pick) {
    if (!(Number.isInteger(c) && c >= 0 && c < count))
      fail(`Channel ${c} does not exist: this layer has channels 0..${count - 1}.`);
  }
  if (pick.length === 0) fail("channels is empty: choose at least one channel.");
  return pick;
}

export function defaultCell(tiles: number): number {
  return tiles <= 8 ? 128 : tiles <= 32 ? 96 : tiles <= 64 ? 64 : 48;
}

/** A layer's activations (H×W×C, or a batch [N, H, W, C]) as a grid of one tile per channel. */
export function featureMaps(activation: tf.Tensor, o: FeatureMapOptions = {}): Picture {
  if (!(activation instanceof tf.Tensor)) fail("featureMaps needs a tensor of activations [height, width, channels].");
  const { shape, data } = readTensor(activation);
  let offset = 0;
  if (shape.length === 4) {
    const index = o.index ?? 0;
    if (!(index >= 0 && index < shape[0])) fail(`index ${index} is out of range: the batch has ${shape[0]} item(s).`);
    offset = index * shape[1] * shape[2] * shape[3];
    shape.shift();
  }
  if (shape.length !== 3) {
    fail(
      `Feature maps need shape [height, width, channels] (or a batch of them); got [${activation.shape.join(", ")}]. ` +
        `Dense layers have no spatial maps.`,
    );
  }
  const [h, w, c] = shape;
  const chans = chosenChannels(c, o.channels);
  const cmap = colormap(o.cmap ?? "viridis");
  const maps = chans.map((k) => {
    const m = new Float32Array(h * w);
    for (let p = 0; p < h * w; p++) m[p] = data[offset + p * c + k];
    return m;
  });
  const rangeOf = (arrs: Float32Array[]) => {
    let lo = Infinity,
      hi = -Infinity;
    for (const a of arrs)
      for (const v of a) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    return [lo, hi] as [number, number];
  };
  const shared = o.normalize === "together" ? rangeOf(maps) : null;
  if (o.normalize && !["each", "together"].includes(o.normalize))
    fail(`normalize must be "each" or "together", got "${o.normalize}".`);
  const cell = o.cell ?? defaultCell(chans.length);
  const titles = o.titles ?? cell >= 48;
  const panels: Panel[] = maps.map((m, i) => {
    const [lo, hi] = shared ?? rangeOf([m]);
    const span = hi - lo;
    const norm = { height: h, width: w, data: m.map((v) => (span > 0 ? (v - lo) / span : 0)) };
    return {
      image: heatmap(norm, cmap, "positive"),
      title: titles ? `ch ${chans[i]}` : undefined,
      colorbar: o.colorbar ? { cmap, lo, hi } : undefined,
    };
  });
  const columns = o.columns ?? Math.min(panels.length, Math.ceil(Math.sqrt(panels.length * 1.5)));
  return composeGrid(panels, { columns, cell, gap: 4, title: o.title, fontSize: cell >= 96 ? 13 : 11 });
}
