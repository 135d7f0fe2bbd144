import * as tf from "@tensorflow/tfjs";
import { f32, WasmBackend } from "./wasm-heap";
import type { KernelFn } from "./conv-gradients";

/**
 * MaxPoolGrad for wasm. Stock wasm's kernel is wrong where a window holds only negative values (it
 * sends no gradient to their maximum; e.g. max pooling after batch norm without ReLU) and slow. Each
 * window's maximum is the first strictly greatest pixel in row-major order, as on the cpu backend,
 * and receives that window's output gradient.
 */
export function maxPoolGrad(): KernelFn {
  return (args) => {
    const { dy, input } = args.inputs as Record<"dy" | "input", tf.TensorInfo>;
    const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const backend = args.backend as unknown as WasmBackend;
    const out = backend.makeOutput(input.shape, "float32");
    const dx = f32(backend, out);
    const x = f32(backend, input);
    const g = f32(backend, dy);
    dx.fill(0);
    const { batchSize, inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth } = info;
    const c = info.inChannels;
    const fh = info.effectiveFilterHeight,
      fw = info.effectiveFilterWidth;
    const dh = info.dilationHeight,
      dw = info.dilationWidth;
    if (tiles(info)) {
      tiledMaxPoolGrad(dx, x, g, info);
      return out;
    }
    const best = new Float32Array(c);
    const where = new Int32Array(c);
    for (let b = 0; b < batchSize; b++) {
      for (let oy = 0; oy < outHeight; oy++) {
        const y0 = oy * strideHeight - info.padInfo.top;
        for (let ox = 0; ox < outWidth; ox++) {
          const x0 = ox * strideWidth - info.padInfo.left;
          best.fill(-Infinity);
          where.fill(-1);
          for (let y = y0; y < y0 + fh; y += dh) {
            if (y < 0 || y >= inHeight) continue;
            for (let xx = x0; xx < x0 + fw; xx += dw) {
              if (xx < 0 || xx >= inWidth) continue;
              const p = ((b * inHeight + y) * inWidth + xx) * c;
              for (let k = 0; k < c; k++) {
                const v = x[p + k]!;
                if (v > best[k]!) {
                  best[k] = v;
                  where[k] = p + k;
                }
              }
            }
          }
          const q = ((b * outHeight + oy) * outWidth + ox) * c;
          for (let k = 0; k < c; k++) if (where[k]! >= 0) dx[where[k]!] += g[q + k]!;
        }
      }
    }
    return out;
  };
}

/** Windows that tile the input (stride = window, inside it, no dilation), as in VGG's 2×2 / 2 pools. */
function tiles(info: tf.backend_util.Conv2DInfo): boolean {
  const p = info.padInfo;
  return (
    info.strideHeight === info.filterHeight &&
    info.strideWidth === info.filterWidth &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    p.top === 0 &&
    p.left === 0 &&
    p.bottom === 0 &&
    p.right === 0 &&
    // tfjs may round a numeric pad's output size up, leaving the last window hanging past the edge
    info.outHeight * info.filterHeight <= info.inHeight &&
    info.outWidth * info.filterWidth <= info.inWidth
  );
}

/**
 * The same rule where windows tile the input: every pixel lies in one window at most, so each window
 * writes its maximum's gradient directly, with no per-window scratch and no bounds checks (~1.3× faster).
 */
function tiledMaxPoolGrad(dx: Float32Array, x: Float32Array, g: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, outHeight, outWidth, filterHeight: fh, filterWidth: fw } = info;
  const c = info.inChannels;
  const rowStride = inWidth * c;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const corner = ((b * inHeight + oy * fh) * inWidth + ox * fw) * c;
        const q = ((b * outHeight + oy) * outWidth + ox) * c;
        for (let k = 0; k < c; k++) {
          let best = -Infinity;
          let where = -1;
          for (let y = 0; y < fh; y++) {
            const row = corner + y * rowStride + k;
            for (let xx = 0; xx < fw; xx++) {
              const v = x[row + xx * c]!;
              if (v > best) {
                best = v;
                where = row + xx * c;
              }
            }
          }
          if (where >= 0) dx[where] = g[q + k]!;
        }
      }
    }
  }
}
