/**
 * Kernel-side models of DeepViz's own browser views (module `deepviz-widgets`, built from
 * widgets/frontend): Heatmap, FeatureGrid and Scatter. Pixels and maps travel as binary buffers; the
 * browser does the coloring and compositing.
 */
import { DeepVizError } from "../../src/errors";
import type { ColormapName } from "../../src/render/colormaps";
import { domDefaults } from "./dom";
import { widgetClass } from "./widget";

export const VIEWS_MODULE = "deepviz-widgets";
export const VIEWS_VERSION = "0.1.0";

/** The library's colormaps: the browser views draw with the same tables (src/render/colormaps.ts). */
export type Colormap = ColormapName;

const spec = (model: string, view: string) => ({
  model,
  module: VIEWS_MODULE,
  moduleVersion: VIEWS_VERSION,
  view,
});

function asFloat32(value: unknown, what: string): Float32Array | null {
  if (value === null) return null;
  if (value instanceof Float32Array) return value;
  if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    return Float32Array.from(value as ArrayLike<number>);
  }
  throw new DeepVizError(`${what} must be a Float32Array or an array of numbers`);
}

/** Gray, RGB or RGBA bytes (channels inferred from the length) as RGBA. */
export function toRGBA(pixels: ArrayLike<number>, width: number, height: number): Uint8Array {
  const n = width * height;
  const channels = pixels.length / n;
  if (![1, 3, 4].includes(channels)) {
    throw new DeepVizError(
      `image of ${width}×${height} needs ${n}, ${3 * n} or ${4 * n} values (gray, RGB, RGBA); got ${pixels.length}`,
    );
  }
  if (channels === 4) return pixels instanceof Uint8Array ? pixels : Uint8Array.from(pixels);
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[i * 4 + c] = pixels[i * channels + (channels === 1 ? 0 : c)];
    out[i * 4 + 3] = 255;
  }
  return out;
}

export interface HeatmapClick {
  /** Map cell (column, row). */
  x: number;
  y: number;
  /** Map value there. */
  value: number | null;
  /** Image pixel under the click. */
  image_x: number;
  image_y: number;
}

/**
 * An image with a map over it. Opacity, colormap and threshold redraw in the browser at once (the
 * view has its own controls for them, and they can be jslinked); clicks come back through onClick.
 */
export class Heatmap extends widgetClass(spec("HeatmapModel", "HeatmapView"), {
  ...domDefaults(),
  image: null as Uint8Array | null,
  image_width: 0,
  image_height: 0,
  map: null as Float32Array | null,
  map_width: 0,
  map_height: 0,
  opacity: 0.5,
  colormap: "viridis" as Colormap,
  threshold: 0,
  signed: false,
  vmin: null as number | null,
  vmax: null as number | null,
  size: 224,
  marker: null as [number, number] | null,
  show_controls: true,
  title: "",
}) {
  /** Set the picture under the map (gray, RGB or RGBA bytes, row-major). */
  setImage(pixels: ArrayLike<number>, width: number, height: number): void {
    this.set({ image: toRGBA(pixels, width, height), image_width: width, image_height: height });
  }

  /** Set the map (row-major values, any range; the view normalizes). */
  setMap(values: ArrayLike<number>, width: number, height: number): void {
    if (values.length !== width * height)
      throw new DeepVizError(`map of ${width}×${height} needs ${width * height} values, got ${values.length}`);
    this.set({ map: asFloat32(values, "map") ?? undefined, map_width: width, map_height: height });
  }

  /** Call `fn` with the clicked map cell. */
  onClick(fn: (click: HeatmapClick) => void | Promise<void>): () => void {
    return this.onMsg((content) => {
      if (content?.event === "click") return fn(content as HeatmapClick);
    });
  }

  protected override coerce(key: string, value: unknown): unknown {
    if (key === "map") return asFloat32(value, "Heatmap.map");
    if (key === "image" && value !== null && !(value instanceof Uint8Array)) {
      if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      throw new DeepVizError("Heatmap.image must be RGBA bytes (Uint8Array); use setImage() for gray or RGB");
    }
    if ((key === "opacity" || key === "threshold") && typeof value === "number" && (value < 0 || value > 1)) {
      throw new DeepVizError(`Heatmap.${key} must be between 0 and 1, got ${value}`);
    }
    return super.coerce(key, value);
  }
}

/** Every channel of a layer as a grid of tiles; clicking a tile sets `selected`. */
export class FeatureGrid extends widgetClass(spec("FeatureGridModel", "FeatureGridView"), {
  ...domDefaults(),
  /** float32 values laid out [channels, height, width]. */
  data: null as Float32Array | null,
  channels: 0,
  height: 0,
  width: 0,
  columns: 0,
  tile_size: 48,
  colormap: "viridis" as Colormap,
  normalize: "channel" as "channel" | "global",
  selected: -1,
  title: "",
}) {
  /** Set the maps from values laid out [channels, height, width]. */
  setMaps(values: ArrayLike<number>, channels: number, height: number, width: number): void {
    if (values.length !== channels * height * width) {
      throw new DeepVizError(
        `${channels} maps of ${height}×${width} need ${channels * height * width} values, got ${values.length}`,
      );
    }
    const selected = this.selected < channels ? this.selected : -1;
    this.set({ data: asFloat32(values, "data") ?? undefined, channels, height, width, selected });
  }

  protected override coerce(key: string, value: unknown): unknown {
    if (key === "data") return asFloat32(value, "FeatureGrid.data");
    return super.coerce(key, value);
  }
}

/**
 * A plotly scatter of 2-D points (an embedding), one color per label, a thumbnail per point shown on
 * hover; a lasso or box selection in the page sets `selected` (point indices).
 */
export class Scatter extends widgetClass(spec("ScatterModel", "ScatterView"), {
  ...domDefaults(),
  /** float32 x, y pairs. */
  points: null as Float32Array | null,
  /** int32 label per point, or null. */
  labels: null as Int32Array | null,
  label_names: [] as string[],
  /** Thumbnails, one after the other, each thumb_height × thumb_width × thumb_channels bytes. */
  thumbnails: null as Uint8Array | null,
  thumb_width: 0,
  thumb_height: 0,
  thumb_channels: 1,
  selected: [] as number[],
  title: "",
  width: 520,
  height: 420,
}) {
  protected override coerce(key: string, value: unknown): unknown {
    if (key === "points") {
      const p = asFloat32(value, "Scatter.points");
      if (p && p.length % 2) throw new DeepVizError("Scatter.points must hold x, y pairs (an even number of values)");
      return p;
    }
    if (key === "labels" && value !== null && !(value instanceof Int32Array)) {
      if (Array.isArray(value) || ArrayBuffer.isView(value)) return Int32Array.from(value as ArrayLike<number>);
    }
    if (key === "thumbnails" && value !== null && !(value instanceof Uint8Array) && ArrayBuffer.isView(value)) {
      return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    }
    return super.coerce(key, value);
  }
}
