import * as tf from "@tensorflow/tfjs";
import { existsSync, readFileSync } from "fs";
import { fail } from "../errors";
import { backend } from "../backend";

/** Where an image comes from: a file path, an http(s) URL (string or URL), or the encoded bytes. */
export type ImageSource = string | URL | Uint8Array | ArrayBuffer;

export interface LoadImageOptions {
  /** Resize (bilinear) to [height, width], or to size×size for a number. */
  size?: number | [number, number];
  /** Keep the alpha channel as a 4th channel (default false: RGB). */
  alpha?: boolean;
}

async function bytesOf(source: ImageSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  const text = source.toString();
  if (source instanceof URL || /^https?:\/\//i.test(text)) {
    let response: Response;
    try {
      response = await fetch(text);
    } catch (e) {
      return fail(`Could not fetch the image at ${text} (${(e as Error).cause ?? (e as Error).message}). Check the address and the network, or load the file from disk.`);
    }
    if (!response.ok) fail(`Fetching the image at ${text} failed with HTTP ${response.status} ${response.statusText}.`);
    return new Uint8Array(await response.arrayBuffer());
  }
  const path = text.startsWith("file://") ? new URL(text).pathname : text;
  if (!existsSync(path)) fail(`No image file at ${path}: give an existing PNG or JPEG path, an http(s) URL, or the bytes.`);
  return readFileSync(path);
}

/** The format, read from the file's first bytes (magic numbers). */
function sniff(bytes: Uint8Array): "png" | "jpeg" | null {
  if (bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return "png";
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return null;
}

/** Decodes PNG/JPEG bytes to RGBA pixels with @napi-rs/canvas. */
async function decode(bytes: Uint8Array): Promise<{ rgba: Uint8ClampedArray; width: number; height: number }> {
  if (!sniff(bytes)) fail("The image is neither PNG nor JPEG (its first bytes match neither format); convert it first.");
  const { Image, createCanvas } = await import("@napi-rs/canvas");
  const image = new Image();
  await new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = (e: unknown) => reject(e);
    image.src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }).catch((e) => fail(`The image could not be decoded (${(e as Error)?.message ?? e}); the file may be truncated or corrupt.`));
  const { width, height } = image;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  return { rgba: ctx.getImageData(0, 0, width, height).data, width, height };
}

/**
 * Loads a PNG or JPEG as a float32 [height, width, 3] tensor in [0, 1] (RGB, the library's convention;
 * apply a model's preprocessing afterwards with `preprocess`).
 */
export async function loadImage(source: ImageSource, options: LoadImageOptions = {}): Promise<tf.Tensor3D> {
  await backend();
  const { rgba, width, height } = await decode(await bytesOf(source));
  const channels = options.alpha ? 4 : 3;
  const values = new Float32Array(width * height * channels);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < channels; c++) values[p * channels + c] = rgba[p * 4 + c] / 255;
  const size = options.size;
  if (size === undefined) return tf.tensor3d(values, [height, width, channels]);
  const [h, w] = typeof size === "number" ? [size, size] : size;
  if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) fail(`loadImage: size must be a positive integer or [height, width], got ${JSON.stringify(size)}.`);
  return tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(values, [height, width, channels]), [h, w]).clipByValue(0, 1) as tf.Tensor3D);
}
