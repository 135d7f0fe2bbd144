/**
 * The browser views' colours, computed by the library's own renderer (src/render, bundled into this
 * code): a map over [lo, hi] goes through the same normalisation and colormap tables as `dv.render`'s
 * heatmap with `sign: "all", normalize: "range"`, so a widget and a rendered PNG agree byte for byte.
 * No DOM here, so Node tests can compare the two.
 */
import { colormap, COLORMAP_NAMES, type Colormap } from "../../../src/render/colormaps";
import { normalizeWithRange, valueRange } from "../../../src/render/normalize";
import { heatmap } from "../../../src/render/views";

export { COLORMAP_NAMES, valueRange };

/** A colormap by name; an unknown name (from an old notebook, say) draws with viridis. */
function pick(name: string): Colormap {
  return COLORMAP_NAMES.some((n) => n.toLowerCase() === name.toLowerCase()) ? colormap(name) : colormap("viridis");
}

/**
 * RGBA bytes of a width × height map: lo → the colormap's first colour, hi → its last, clipped outside.
 * Also the normalized values in [−1, 1] (for thresholds). A range with hi ≤ lo becomes [lo, lo + 1].
 */
export function colorize(
  map: Float32Array,
  width: number,
  height: number,
  cmap: string,
  range: [number, number],
): { rgba: Uint8ClampedArray; normalized: Float32Array; range: [number, number] } {
  const [lo, hi0] = range;
  const hi = hi0 > lo ? hi0 : lo + 1;
  const norm = normalizeWithRange({ height, width, data: map }, { sign: "all", normalize: "range", range: [lo, hi] });
  return { rgba: heatmap(norm.map, pick(cmap), "all").data, normalized: norm.map.data, range: [lo, hi] };
}

export interface HeatmapLayerOptions {
  colormap: string;
  /** Symmetric range around zero (a signed map); else [min, max]. */
  signed: boolean;
  vmin: number | null;
  vmax: number | null;
  /** Cells whose strength (|t − ½|·2 when signed, else t, t in [0, 1] along the colormap) is below it are transparent. */
  threshold: number;
}

/** The Heatmap view's map layer: range from the data unless vmin/vmax are given, colours, threshold as alpha. */
export function heatmapLayer(
  map: Float32Array,
  width: number,
  height: number,
  o: HeatmapLayerOptions,
): { rgba: Uint8ClampedArray; range: [number, number] } {
  const [dataLo, dataHi] = valueRange(map, o.signed);
  const { rgba, normalized, range } = colorize(map, width, height, o.colormap, [o.vmin ?? dataLo, o.vmax ?? dataHi]);
  for (let i = 0; i < normalized.length; i++) {
    const t = (normalized[i] + 1) / 2;
    const strength = o.signed ? Math.abs(t - 0.5) * 2 : t;
    if (strength < o.threshold) rgba[i * 4 + 3] = 0;
  }
  return { rgba, range };
}
