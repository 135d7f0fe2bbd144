import * as fs from "fs";
import { JUPYTER_DISPLAY, MimeBundle } from "../core/display-registry";
import { encodePng } from "./png";
import { RGBA } from "./types";

/**
 * A rendered picture: its RGBA pixels, its PNG bytes (encoded once, on demand), and rich display in a
 * notebook. Every dv.render.* function returns one.
 */
export class Picture implements RGBA {
  private encoded: Uint8Array | null = null;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;

  constructor(
    rgba: RGBA,
    readonly title = "",
  ) {
    this.width = rgba.width;
    this.height = rgba.height;
    this.data = rgba.data;
  }

  /** PNG file bytes. */
  png(): Uint8Array {
    if (!this.encoded) this.encoded = encodePng(this);
    return this.encoded;
  }

  /** The RGBA bytes of pixel (x, y). */
  pixel(x: number, y: number): [number, number, number, number] {
    const o = (y * this.width + x) * 4;
    return [this.data[o], this.data[o + 1], this.data[o + 2], this.data[o + 3]];
  }

  save(path: string): string {
    fs.writeFileSync(path, this.png());
    return path;
  }

  toString(): string {
    return `Picture(${this.title ? this.title + ", " : ""}${this.width}×${this.height})`;
  }

  /**
   * The PNG a notebook shows: small pictures (a 28×28 digit, a 7×7 map) enlarged by a whole factor with
   * nearest-neighbour, so they are visible and their pixels stay sharp; others as they are.
   */
  displayPng(minSide = 128): Uint8Array {
    const longest = Math.max(this.width, this.height);
    if (longest >= minSide) return this.png();
    const k = Math.min(16, Math.ceil(minSide / longest));
    const w = this.width * k,
      h = this.height * k;
    const big = new Uint8ClampedArray(w * h * 4);
    const src = new Uint32Array(this.data.buffer, this.data.byteOffset, this.width * this.height);
    const dst = new Uint32Array(big.buffer);
    for (let y = 0; y < h; y++) {
      const row = Math.floor(y / k) * this.width;
      for (let x = 0; x < w; x++) dst[y * w + x] = src[row + Math.floor(x / k)];
    }
    return encodePng({ width: w, height: h, data: big });
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return { "image/png": Buffer.from(this.displayPng()).toString("base64"), "text/plain": this.toString() };
  }
}
