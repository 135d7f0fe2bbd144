import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { items, ImageLike, looksLikeImage, MapLike, toHWC, toImage } from "./arrays";
import { Colormap, colormap, ColormapName } from "./colormaps";
import { composeGrid, ColorbarSpec, Panel } from "./compose";
import { Normalized, normalizeWithRange, NormalizeOptions, reduceChannels, Reduction, Sign } from "./normalize";
import { Picture } from "./picture";
import { ImageData3, RGBA } from "./types";
import { resizeMap, Resample } from "./upsample";
import { alphaScaling, blended, heatmap, masked, original } from "./views";

/** Captum's views: heat map, blended over the image, masked image, alpha scaling, original image. */
export type View = "heatmap" | "blended" | "masked" | "alphaScaling" | "original";
export const VIEWS: View[] = ["heatmap", "blended", "masked", "alphaScaling", "original"];

export interface AttributionViewOptions extends NormalizeOptions {
  /** Default "blended" when an image is known (the attribution's input or `image`), else "heatmap". */
  view?: View;
  /** Channel reduction (default "sum", as Captum). */
  reduce?: Reduction;
  /** Default by sign, as Captum: absolute → blues, positive → greens, negative → reds, all → redWhiteGreen. */
  cmap?: ColormapName | Colormap;
  /** Heat-map opacity in the blended view (default 0.5). */
  alpha?: number;
  /** Blend over the greyscale image (default true, as Captum) or the colour image. */
  greyscale?: boolean;
  /** The image under the map; defaults to the attribution's input. */
  image?: ImageLike;
  /** How a layer-sized map is enlarged to the image (default "bilinear"). */
  upsample?: Resample;
  /** Add a title and a colour bar (composed on a sheet); default false for plain pixels. */
  title?: string;
  colorbar?: boolean;
  /** Longest side of the picture on a composed sheet (default 224). */
  size?: number;
  /** For batches: which item to draw (default: all, side by side). */
  index?: number;
}

export function defaultColormap(sign: Sign): ColormapName {
  return sign === "all" ? "redWhiteGreen" : sign === "positive" ? "greens" : sign === "negative" ? "reds" : "blues";
}

/** One item rendered as plain pixels, plus what its colour bar should say. */
export interface RenderedItem {
  rgba: RGBA;
  colorbar?: ColorbarSpec;
}

/** The pure core: numbers of one map (H×W×C) and maybe its image → RGBA for the chosen view. */
export function renderItem(values: ImageData3, image: ImageData3 | null, o: AttributionViewOptions = {}): RenderedItem {
  const view = o.view ?? (image ? "blended" : "heatmap");
  if (!VIEWS.includes(view)) fail(`Unknown view "${view}". Use one of: ${VIEWS.join(", ")}.`);
  if (view !== "heatmap" && !image) {
    fail(`The "${view}" view needs the image: pass options.image (the input the attribution explains).`);
  }
  if (view === "original") return { rgba: original(image!) };
  const sign = o.sign ?? "absolute";
  const cmap = colormap(o.cmap ?? defaultColormap(sign));
  let map = reduceChannels(values, o.reduce ?? "sum");
  if (image && (map.height !== image.height || map.width !== image.width)) {
    map = resizeMap(map, image.height, image.width, o.upsample ?? "bilinear");
  }
  const n: Normalized = normalizeWithRange(map, { ...o, sign });
  const bar: ColorbarSpec = { cmap, lo: n.lo, hi: n.hi };
  switch (view) {
    case "heatmap":
      return { rgba: heatmap(n.map, cmap, sign), colorbar: bar };
    case "blended":
      return { rgba: blended(image!, n.map, cmap, sign, o.alpha ?? 0.5, o.greyscale ?? true), colorbar: bar };
    case "masked":
      return { rgba: masked(image!, n.map, sign) };
    default:
      return { rgba: alphaScaling(image!, n.map, sign) };
  }
}

function imagesOf(x: ImageLike | undefined, count: number): Array<ImageData3 | null> {
  if (!x) return Array(count).fill(null);
  if (x instanceof tf.Tensor && x.rank === 4) {
    const all = items(x, "image").map((i) => toImage(i, "image"));
    if (all.length !== count) fail(`The image batch has ${all.length} items but the attribution has ${count}.`);
    return all;
  }
  const one = toImage(x);
  return Array(count).fill(one);
}

/**
 * An attribution (or a raw tensor of values) as a picture. Without title or colour bar the picture is
 * exactly the view's pixels at the image's size; a batch becomes a row of its items.
 */
export function renderAttribution(x: Attribution | MapLike, o: AttributionViewOptions = {}): Picture {
  let values: ImageData3[];
  let image: ImageLike | undefined = o.image;
  let name = o.title;
  if (x instanceof Attribution) {
    if (x.values.isDisposed) fail("This attribution was disposed; render it before calling dispose().");
    values = x.batched ? items(x.values) : [toHWC(x.values, "attribution values")];
    if (!image && looksLikeImage(x.input.shape.slice(x.batched ? 1 : 0))) image = x.input;
    name = name ?? x.method + (x.layer ? ` (${x.layer})` : "");
  } else {
    values = x instanceof tf.Tensor && x.rank === 4 ? items(x) : [toHWC(x, "values")];
  }
  // A map with NaN would normalise to nothing and draw as if it were meaningful.
  if (values.some((v) => v.data.some((n) => !Number.isFinite(n)))) {
    fail(
      `The ${x instanceof Attribution ? `${x.method} attribution` : "values"} contain NaN or Infinity; nothing meaningful can be drawn. Check the model and input (dv methods refuse non-finite inputs).`,
    );
  }
  let images = imagesOf(image, values.length);
  if (o.index !== undefined) {
    if (!(Number.isInteger(o.index) && o.index >= 0 && o.index < values.length)) {
      fail(`index ${o.index} is out of range: the batch has ${values.length} item(s).`);
    }
    values = [values[o.index]];
    images = [images[o.index]];
  }
  const rendered = values.map((v, i) => renderItem(v, images[i], o));
  if (rendered.length === 1 && !o.title && !o.colorbar) return new Picture(rendered[0].rgba, name ?? "");
  const panels: Panel[] = rendered.map((r, i) => ({
    image: r.rgba,
    title: rendered.length > 1 ? `${name ?? ""} #${o.index ?? i}`.trim() : name,
    colorbar: o.colorbar ? r.colorbar : undefined,
  }));
  return composeGrid(panels, { cell: o.size ?? 224 });
}
