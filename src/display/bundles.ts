import { inspect } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../attribution";
import { JUPYTER_DISPLAY, MimeBundle, registerBundleMaker } from "../core/display-registry";
import { DeepVizError, fail } from "../errors";
import { looksLikeImage } from "../render/arrays";
import { renderAttribution, AttributionViewOptions } from "../render/attribution-view";
import { featureMaps, FeatureMapOptions } from "../render/feature-maps";
import { image } from "../render/image";
import { imageGrid } from "../render/image-grid";
import { Picture } from "../render/picture";
import { topPatches as renderTopPatches, TopPatchesLike } from "../render/top-patches";
import { modelSummary } from "./model-summary";
import { Plot } from "./plot";
import { bars, lines } from "./plots";

export type ShowOptions = AttributionViewOptions & FeatureMapOptions & { title?: string };

function hasDisplay(x: unknown): x is { [JUPYTER_DISPLAY](): MimeBundle } {
  return x != null && typeof (x as Record<symbol, unknown>)[JUPYTER_DISPLAY] === "function";
}

/** A tensor shown the way its shape suggests: an image, or a grid of feature maps. */
function tensorPicture(t: tf.Tensor, o: ShowOptions): Picture {
  const shape = t.shape;
  if (looksLikeImage(shape)) {
    const v = t.dataSync();
    let lo = Infinity,
      hi = -Infinity;
    for (const x of Array.from(v as ArrayLike<number>)) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    // images are in [0, 1] or 0–255; anything else (a signed map) is drawn as a heat map
    if (lo >= 0 && (hi <= 1 || hi <= 255) && !(shape.length === 2 && o.cmap)) return image(t, o.title);
    return renderAttribution(t, { view: "heatmap", cmap: "viridis", normalize: "minmax", colorbar: true, ...o });
  }
  const s = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape;
  if (s.length === 3 || shape.length === 4) return featureMaps(t, o);
  return fail(
    `dv.show cannot draw a tensor of shape [${shape.join(", ")}]: it draws images [H, W, C], feature maps ` +
      `[H, W, channels] and attributions. For a vector of scores use dv.plots.topK or dv.plots.histogram.`,
  );
}

/** The MIME bundle for anything the library returns (and tensors, models). */
/**
 * How an attribution draws: a layer's activations as a feature-map grid, a generated image as an
 * image, other maps over their input (layer-sized ones upsampled).
 */
function attributionPicture(a: Attribution, o: ShowOptions): Picture | null {
  const itemRank = a.values.rank - (a.batched ? 1 : 0);
  if (itemRank <= 1) return null;
  const title = o.title ?? a.method + (a.layer ? ` (${a.layer})` : "");
  if (a.method === "layerActivation" && itemRank === 3) return featureMaps(a.values, { ...o, title });
  if (a.method === "activationMaximization" && (a.batched ? a.values.shape[0] === 1 : true)) {
    return image(a.values, { title, rescale: true });
  }
  if (a.method === "featureVisualization") {
    if (itemRank === 3 && a.values.rank === 3) return image(a.values, { title });
    const labels = a.info.labels as string[] | undefined;
    return imageGrid(a.values, { title, titles: labels });
  }
  // class activation maps are coarse heat maps: jet over the colour image, as in the Grad-CAM paper
  const camDefaults: ShowOptions = CAM_METHODS.includes(a.method) ? { cmap: "jet", greyscale: false } : {};
  return renderAttribution(a, { colorbar: true, ...camDefaults, ...o });
}

const CAM_METHODS = ["gradCam", "gradCamPlusPlus", "scoreCam", "cam"];

/** Image-like attributions as pictures; attributions of a vector input (tabular models) as bars. */
function attributionBundle(a: Attribution, o: ShowOptions): MimeBundle {
  const picture = attributionPicture(a, o);
  if (picture) return picture[JUPYTER_DISPLAY]();
  if (a.batched && a.values.shape[0] !== 1) {
    fail(`This attribution holds a batch of ${a.values.shape[0]} vectors: show one with dv.plots.bars(values.slice(…)).`);
  }
  return bars(a, { title: o.title })[JUPYTER_DISPLAY]();
}

/** The picture x draws as (attributions of images, tensors, pictures), or null for plots, tables, text. */
export function pictureOf(x: unknown, o: ShowOptions = {}): Picture | null {
  if (x instanceof Picture) return x;
  if (x instanceof tf.Tensor) return tensorPicture(x, o);
  if (x instanceof Attribution) return attributionPicture(x, o);
  return null;
}

export interface BundleOptions extends ShowOptions {
  /**
   * "show" (default): drawn the way dv.show draws it, and a DeepVizError for a value it cannot draw.
   * "cell": the way a notebook cell shows its value (a widget's Output uses this): its own rich display
   * if it has one, else its text (util.inspect).
   */
  as?: "show" | "cell";
}

export function bundleOf(x: unknown, options: BundleOptions = {}): MimeBundle {
  const { as = "show", ...o } = options;
  if (as === "show") {
    if (x instanceof Attribution) return attributionBundle(x, o);
    if (x instanceof tf.LayersModel) return modelSummary(x)[JUPYTER_DISPLAY]();
    if (x instanceof tf.Tensor) return tensorPicture(x, o)[JUPYTER_DISPLAY]();
  }
  if (hasDisplay(x)) return x[JUPYTER_DISPLAY]();
  if (typeof x === "string") return { "text/plain": x };
  if (as === "cell") return { "text/plain": inspect(x, { depth: 3 }) };
  return fail(
    "dv.show draws attributions, pictures, plots, tensors and models; got " +
      `${x === null ? "null" : typeof x === "object" ? ((x as object).constructor?.name ?? "an object") : typeof x}.`,
  );
}

let registered = false;

/** Registers the makers that data types (Attribution, …) use for their own rich display. */
export function registerBundleMakers(): void {
  if (registered) return;
  registered = true;
  // the data type's own text/plain (e.g. "Attribution(saliency …)") is the fallback, so makers leave theirs out
  const register = (kind: string, make: (value: any, o?: Record<string, unknown>) => MimeBundle) =>
    registerBundleMaker(kind, (value, o) => {
      const { ["text/plain"]: _text, ...rich } = make(value, o);
      return rich;
    });
  // a display hook must not throw: if an attribution cannot be drawn, its text/plain stands alone
  register("attribution", (a: Attribution, o?: Record<string, unknown>) => {
    try {
      return attributionBundle(a, (o ?? {}) as ShowOptions);
    } catch (e) {
      if (e instanceof DeepVizError) return {};
      throw e;
    }
  });
  register("image", (t: tf.Tensor, o?: Record<string, unknown>) => image(t, (o?.title as string) ?? "")[JUPYTER_DISPLAY]());
  register("featureMaps", (t: tf.Tensor, o?: Record<string, unknown>) =>
    featureMaps(t, o as FeatureMapOptions)[JUPYTER_DISPLAY](),
  );
  register("plot", (fig: { data: Array<Record<string, unknown>>; layout?: Record<string, unknown>; summary?: string }) =>
    new Plot(fig.data, fig.layout ?? {}, fig.summary ?? "plot")[JUPYTER_DISPLAY](),
  );
  register("modelSummary", (m: tf.LayersModel) => modelSummary(m)[JUPYTER_DISPLAY]());
  register("topPatches", (r: TopPatchesLike) => renderTopPatches(r)[JUPYTER_DISPLAY]());
  register("sanityCheck", (r: SanityCheckLike) => sanityPlot(r)[JUPYTER_DISPLAY]());
}

/** What a sanity-check result holds (src/methods/sanity-checks.ts). */
interface SanityCheckLike {
  method: string;
  mode: string;
  layers: string[];
  spearmanAbs: number[];
  spearmanSigned: number[];
  ssim: number[];
}

/** Similarity to the trained model's map as layers are randomized: lines falling to 0 pass the check. */
export function sanityPlot(r: SanityCheckLike): Plot {
  return lines(
    [
      { name: "Spearman |map|", x: r.layers, y: r.spearmanAbs },
      { name: "Spearman map", x: r.layers, y: r.spearmanSigned },
      { name: "SSIM |map|", x: r.layers, y: r.ssim },
    ],
    {
      title: `Sanity check of ${r.method} (${r.mode} randomization)`,
      xLabel: "randomized layer",
      yLabel: "similarity to the trained model",
    },
  );
}
