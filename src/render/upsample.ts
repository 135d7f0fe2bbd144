import { Map2D } from "./types";

export type Resample = "bilinear" | "nearest";

/**
 * Resizes a layer-sized map (a 7×7 Grad-CAM, say) to the image's size. Bilinear uses half-pixel
 * centres, as tf.image.resizeBilinear(…, halfPixelCenters = true) and OpenCV do, so the map is not shifted.
 */
export function resizeMap(map: Map2D, height: number, width: number, how: Resample = "bilinear"): Map2D {
  if (map.height === height && map.width === width) return map;
  const out = new Float32Array(height * width);
  const sy = map.height / height;
  const sx = map.width / width;
  const src = map.data;
  const W = map.width;
  if (how === "nearest") {
    for (let y = 0; y < height; y++) {
      const yy = Math.min(map.height - 1, Math.floor((y + 0.5) * sy));
      for (let x = 0; x < width; x++) {
        out[y * width + x] = src[yy * W + Math.min(W - 1, Math.floor((x + 0.5) * sx))];
      }
    }
    return { height, width, data: out };
  }
  const x0s = new Int32Array(width),
    x1s = new Int32Array(width),
    fxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), W - 1);
    x0s[x] = Math.floor(fx);
    x1s[x] = Math.min(W - 1, x0s[x] + 1);
    fxs[x] = fx - x0s[x];
  }
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), map.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(map.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const a = src[y0 * W + x0s[x]],
        b = src[y0 * W + x1s[x]];
      const c = src[y1 * W + x0s[x]],
        d = src[y1 * W + x1s[x]];
      const top = a + (b - a) * fxs[x];
      const bottom = c + (d - c) * fxs[x];
      out[y * width + x] = top + (bottom - top) * wy;
    }
  }
  return { height, width, data: out };
}
