import * as tf from "@tensorflow/tfjs";
import { existsSync, readFileSync } from "fs";
import { dirname, join } from "path";
import { fail } from "../errors";
import { loadImage } from "./image";

/**
 * Real photographs shipped in data/photos (copied from scikit-image's data folder; their licences and
 * attribution are in data/photos/README.md): public domain or CC0, so lessons can use them freely.
 */
export const PHOTOS = {
  astronaut: { file: "astronaut.png", size: [512, 512], credit: "Eileen Collins, NASA (public domain)" },
  chelsea: { file: "chelsea.png", size: [300, 451], credit: "Chelsea the cat, Stefan van der Walt (CC0)" },
  coffee: { file: "coffee.png", size: [400, 600], credit: "Coffee cup, Rachel Michetti, courtesy of Pikolo Espresso Bar (CC0)" },
  camera: { file: "camera.png", size: [512, 512], credit: "Cameraman, Lav Varshney (CC0)" },
} as const;
export type PhotoName = keyof typeof PHOTOS;

/** Face of the astronaut photo, [top, left, height, width] in pixels (used by the emotion lessons). */
export const ASTRONAUT_FACE: [number, number, number, number] = [45, 157, 140, 140];

export interface PhotoOptions {
  /** [top, left, height, width] in pixels of the original photo. */
  crop?: [number, number, number, number];
  /** Resize (bilinear) to [height, width], or size×size. */
  size?: number | [number, number];
}

function photosDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, "data", "photos");
    if (existsSync(join(candidate, "README.md"))) return candidate;
    if (dirname(dir) === dir) return fail(`could not find data/photos above ${__dirname}.`);
  }
}

/** A shipped photo as RGB [H, W, 3] in [0, 1] (grey photos get three equal channels), optionally cropped and resized. */
export async function photo(name: PhotoName, options: PhotoOptions = {}): Promise<tf.Tensor3D> {
  if (!(name in PHOTOS)) fail(`no photo named "${name}"; the shipped photos are ${Object.keys(PHOTOS).join(", ")}.`);
  const entry = PHOTOS[name];
  const image = await loadImage(readFileSync(join(photosDir(), entry.file)));
  try {
    return crop(image, name, options);
  } finally {
    image.dispose();
  }
}

function crop(image: tf.Tensor3D, name: string, options: PhotoOptions): tf.Tensor3D {
  return tf.tidy(() => {
    let x: tf.Tensor3D = image.shape[2] === 1 ? tf.tile(image, [1, 1, 3]) : image;
    if (options.crop) {
      const [top, left, h, w] = options.crop;
      const [H, W] = x.shape;
      if (![top, left, h, w].every(Number.isInteger) || top < 0 || left < 0 || h <= 0 || w <= 0 || top + h > H || left + w > W) {
        fail(`crop [${options.crop.join(", ")}] (top, left, height, width) does not fit the ${H}×${W} photo "${name}".`);
      }
      x = tf.slice(x, [top, left, 0], [h, w, 3]);
    }
    if (options.size !== undefined) {
      const s = options.size;
      const [h, w] = typeof s === "number" ? [s, s] : s;
      x = tf.image.resizeBilinear(x, [h, w], false, true);
    }
    return x === image ? x.clone() : x;
  });
}
