/** Plain arrays the renderers work on: no tensors, so every view is a pure function. */

/** One channel of numbers, row-major (a saliency map, a feature map, a normalized map). */
export interface Map2D {
  height: number;
  width: number;
  data: Float32Array;
}

/** An image in height × width × channels order (1 grey, 3 RGB or 4 RGBA), values in [0, 1]. */
export interface ImageData3 {
  height: number;
  width: number;
  channels: number;
  data: Float32Array;
}

/** 8-bit RGBA pixels, row-major, 4 bytes a pixel (what PNG encoding and canvases take). */
export interface RGBA {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export function newRGBA(width: number, height: number): RGBA {
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}
