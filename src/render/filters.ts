import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { readTensor } from "./arrays";
import { colormap, Colormap, ColormapName } from "./colormaps";
import { composeGrid, Panel } from "./compose";
import { chosenChannels, defaultCell } from "./feature-maps";
import { Picture } from "./picture";
import { heatmap } from "./views";
import { newRGBA } from "./types";

export interface FilterOptions {
  /** Which filters (output channels): indices or the first n (default: all). */
  filters?: number[] | number;
  /**
   * "rgb" draws each 3-input-channel filter as one colour tile (the default for first layers);
   * otherwise one tile per filter and input channel (indices or the first n, default all).
   */
  inputChannels?: "rgb" | number[] | number;
  /** Scale each tile alone ("each", default) or all tiles with one range ("together"). */
  normalize?: "each" | "together";
  /** Colormap for single-channel tiles (default gray). */
  cmap?: ColormapName | Colormap;
  cell?: number;
  columns?: number;
  title?: string;
  titles?: boolean;
}

/** A conv layer, or its kernel [kh, kw, inChannels, outChannels]. */
export type KernelLike = tf.Tensor | { getWeights(): tf.Tensor[]; name?: string };

function kernelOf(x: KernelLike): tf.Tensor {
  const k = x instanceof tf.Tensor ? x : x.getWeights()[0];
  if (!k || k.rank !== 4) {
    fail(
      `Filters need a conv kernel [kh, kw, inChannels, outChannels] or a Conv2D layer; got ${k ? `shape [${k.shape.join(", ")}]` : "a layer without weights"}.`,
    );
  }
  return k;
}

/**
 * A conv layer's filters. First-layer filters (3 input channels) become RGB tiles; deeper filters are
 * shown per input channel, one row per filter.
 */
export function filters(layer: KernelLike, o: FilterOptions = {}): Picture {
  const { shape, data } = readTensor(kernelOf(layer));
  const [kh, kw, cin, cout] = shape;
  const outs = chosenChannels(cout, o.filters);
  const rgb = o.inputChannels === "rgb" || (o.inputChannels === undefined && cin === 3);
  if (rgb && cin !== 3) fail(`RGB tiles need 3 input channels; this kernel has ${cin}. Pick inputChannels instead.`);
  if (o.normalize && !["each", "together"].includes(o.normalize))
    fail(`normalize must be "each" or "together", got "${o.normalize}".`);
  const ins = rgb ? [0, 1, 2] : chosenChannels(cin, o.inputChannels as number[] | number | undefined);
  const at = (y: number, x: number, i: number, f: number) => data[((y * kw + x) * cin + i) * cout + f];

  const rangeOf = (fs: number[], is: number[]): [number, number] => {
    let lo = Infinity,
      hi = -Infinity;
    for (const f of fs)
      for (const i of is)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) {
            const v = at(y, x, i, f);
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
    return [lo, hi];
  };
  const together = o.normalize === "together" ? rangeOf(outs, ins) : null;
  const scale = (v: number, [lo, hi]: [number, number]) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
  const panels: Panel[] = [];
  const tiles = rgb ? outs.length : outs.length * ins.length;
  const cell = o.cell ?? Math.max(32, defaultCell(tiles) / 2);
  const titles = o.titles ?? cell >= 48;
  if (rgb) {
    for (const f of outs) {
      const range = together ?? rangeOf([f], ins);
      const img = newRGBA(kw, kh);
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          const p = (y * kw + x) * 4;
          for (let i = 0; i < 3; i++) img.data[p + i] = Math.round(scale(at(y, x, i, f), range) * 255);
          img.data[p + 3] = 255;
        }
      panels.push({ image: img, title: titles ? `f${f}` : undefined });
    }
  } else {
    const cmap = colormap(o.cmap ?? "gray");
    for (const f of outs)
      for (const i of ins) {
        const range = together ?? rangeOf([f], [i]);
        const m = new Float32Array(kh * kw);
        for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) m[y * kw + x] = scale(at(y, x, i, f), range);
        panels.push({
          image: heatmap({ height: kh, width: kw, data: m }, cmap, "positive"),
          title: titles ? `f${f} · in${i}` : undefined,
        });
      }
  }
  const columns = o.columns ?? (rgb ? Math.min(outs.length, 8) : ins.length);
  return composeGrid(panels, { columns, cell, gap: 4, title: o.title, fontSize: 11 });
}
