import { fail } from "../errors";
import { Colormap, LUT_STEPS } from "./colormaps";
import { ImageData3, Map2D, newRGBA, RGBA } from "./types";
import { Sign } from "./normalize";

/**
 * Views of a normalized map (values in [0, 1], or [−1, 1] for sign "all"), with Captum's meanings.
 * All return opaque RGBA except alphaScaling.
 */

/** Where a normalized value sits on the colormap: [−1, 1] spans it for "all", [0, 1] otherwise. */
export function colormapPosition(v: number, sign: Sign): number {
  return sign === "all" ? (v + 1) / 2 : v;
}

/** Index into cmap.lut() of each value's colour (LUT entry × 3). */
function lutIndex(v: number, sign: Sign): number {
  const t = sign === "all" ? (v + 1) / 2 : v;
  return t > 0 ? (t < 1 ? Math.round(t * LUT_STEPS) * 3 : LUT_STEPS * 3) : 0;
}

export function heatmap(norm: Map2D, cmap: Colormap, sign: Sign): RGBA {
  const out = newRGBA(norm.width, norm.height);
  const d = out.data;
  const lut = cmap.lut();
  for (let p = 0; p < norm.data.length; p++) {
    const i = lutIndex(norm.data[p], sign);
    const o = p * 4;
    d[o] = lut[i];
    d[o + 1] = lut[i + 1];
    d[o + 2] = lut[i + 2];
    d[o + 3] = 255;
  }
  return out;
}

function sameSize(img: ImageData3, norm: Map2D): void {
  if (img.height !== norm.height || img.width !== norm.width) {
    fail(
      `The map is ${norm.height}×${norm.width} but the image is ${img.height}×${img.width}; ` +
        `upsample the map to the image (option upsample) or pass the image it was computed on.`,
    );
  }
}

/** The image's pixel p as RGB in [0, 1] (grey images repeat their one channel; alpha is ignored). */
function rgbAt(img: ImageData3, p: number, out: Float32Array): void {
  const c = img.channels;
  const i = p * c;
  if (c < 3) out[0] = out[1] = out[2] = img.data[i];
  else {
    out[0] = img.data[i];
    out[1] = img.data[i + 1];
    out[2] = img.data[i + 2];
  }
}

export function original(img: ImageData3): RGBA {
  const out = newRGBA(img.width, img.height);
  const px = new Float32Array(3);
  for (let p = 0; p < img.width * img.height; p++) {
    rgbAt(img, p, px);
    out.data[p * 4] = Math.round(px[0] * 255);
    out.data[p * 4 + 1] = Math.round(px[1] * 255);
    out.data[p * 4 + 2] = Math.round(px[2] * 255);
    out.data[p * 4 + 3] = 255;
  }
  return out;
}

/**
 * Heat map laid over the image with opacity `alpha`: out = (1 − α)·background + α·heat. The background
 * is the channel mean (Captum's greyscale) unless `greyscale` is false.
 */
export function blended(img: ImageData3, norm: Map2D, cmap: Colormap, sign: Sign, alpha = 0.5, greyscale = true): RGBA {
  sameSize(img, norm);
  if (!(alpha >= 0 && alpha <= 1)) fail(`alpha must be in [0, 1], got ${alpha}.`);
  const out = newRGBA(img.width, img.height);
  const d = out.data;
  const lut = cmap.lut();
  const c = img.channels;
  const src = img.data;
  const colourChannels = c >= 3 ? 3 : 1;
  const keep = (1 - alpha) * 255;
  for (let p = 0; p < norm.data.length; p++) {
    const h = lutIndex(norm.data[p], sign);
    const i = p * c;
    let r: number, g: number, b: number;
    if (colourChannels === 1) r = g = b = src[i];
    else if (greyscale) r = g = b = (src[i] + src[i + 1] + src[i + 2]) / 3;
    else {
      r = src[i];
      g = src[i + 1];
      b = src[i + 2];
    }
    const o = p * 4;
    d[o] = keep * r + alpha * lut[h];
    d[o + 1] = keep * g + alpha * lut[h + 1];
    d[o + 2] = keep * b + alpha * lut[h + 2];
    d[o + 3] = 255;
  }
  return out;
}

function needsMagnitudes(sign: Sign, view: string): void {
  if (sign === "all") {
    fail(`The ${view} view needs one-signed weights; use sign "absolute", "positive" or "negative", not "all".`);
  }
}

/** The image multiplied by the normalized map: only what the map marks stays visible. */
export function masked(img: ImageData3, norm: Map2D, sign: Sign): RGBA {
  needsMagnitudes(sign, "masked image");
  sameSize(img, norm);
  const out = original(img);
  for (let p = 0; p < norm.data.length; p++) {
    const w = norm.data[p];
    for (let k = 0; k < 3; k++) out.data[p * 4 + k] = Math.round(out.data[p * 4 + k] * w);
  }
  return out;
}

/** The image with the normalized map as its alpha channel. */
export function alphaScaling(img: ImageData3, norm: Map2D, sign: Sign): RGBA {
  needsMagnitudes(sign, "alpha scaling");
  sameSize(img, norm);
  const out = original(img);
  for (let p = 0; p < norm.data.length; p++) out.data[p * 4 + 3] = Math.round(norm.data[p] * 255);
  return out;
}
