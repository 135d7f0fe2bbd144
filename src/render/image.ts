import { ImageLike, toHWC, toImage } from "./arrays";
import { Picture } from "./picture";
import { original } from "./views";

export interface ImageOptions {
  title?: string;
  /** Stretch the values to [0, 1] by their min and max first (generated images, raw weights). */
  rescale?: boolean;
}

/** An image tensor ([H, W], [H, W, 1|3|4] or a batch of one; values in [0, 1] or 0–255) as a picture. */
export function image(x: ImageLike, o: ImageOptions | string = {}): Picture {
  const opts = typeof o === "string" ? { title: o } : o;
  if (!opts.rescale) return new Picture(original(toImage(x)), opts.title ?? "");
  const hwc = toHWC(x, "image");
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < hwc.data.length; i++) {
    const v = hwc.data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi > lo ? hi - lo : 1;
  const data = hwc.data.map((v) => (v - lo) / span);
  return new Picture(original(toImage({ ...hwc, data })), opts.title ?? "");
}
