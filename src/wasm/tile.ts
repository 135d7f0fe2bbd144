import * as tf from "@tensorflow/tfjs";
import type { KernelFn } from "./conv-gradients";
import { WasmBackend } from "./wasm-heap";

/**
 * Tile for wasm by block copies. The batch-norm gradient tiles a per-channel vector to the full
 * activation shape, and stock wasm's element-by-element Tile made that most of a MobileNet-style
 * saliency. Tiling one axis at a time, from the last, repeats contiguous blocks with `set`.
 */
export function tile(stock: KernelFn): KernelFn {
  return (args) => {
    const { x } = args.inputs as Record<"x", tf.TensorInfo>;
    const { reps } = args.attrs as unknown as tf.TileAttrs;
    if (x.dtype === "string" || x.dtype === "complex64") return stock(args);
    const backend = args.backend as unknown as WasmBackend;
    const shape = x.shape.slice();
    let values: tf.backend_util.TypedArray = backend.typedArrayFromHeap(x).slice();
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      const r = reps[axis]!;
      if (r === 1) continue;
      const inner = shape.slice(axis).reduce((a, b) => a * b, 1);
      const outer = values.length / Math.max(inner, 1);
      const next = new (values.constructor as new (n: number) => tf.backend_util.TypedArray)(values.length * r);
      for (let o = 0; o < outer; o++) {
        const block = values.subarray(o * inner, (o + 1) * inner);
        for (let k = 0; k < r; k++) next.set(block, (o * r + k) * inner);
      }
      values = next;
      shape[axis] = shape[axis]! * r;
    }
    const out = backend.makeOutput(shape, x.dtype);
    backend.typedArrayFromHeap(out).set(values);
    return out;
  };
}
