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

  constructor(rgba: RGBA, readonly title = "") {
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

  [JUPYTER_DISPLAY](): MimeBundle {
    return { "image/png": Buffer.from(this.png()).toString("base64"), "text/plain": this.toString() };
  }
}
