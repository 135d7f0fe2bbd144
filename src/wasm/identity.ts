import * as tf from "@tensorflow/tfjs";
import type { KernelFn } from "./conv-gradients";
import { WasmBackend } from "./wasm-heap";

/**
 * Identity (and Cast to the same dtype) for wasm without copying: the output shares the input's data,
 * as on the cpu backend. While gradients are recorded, tfjs clones every tensor a gradient needs
 * (each convolution's input and filter, each ReLU's input...), and stock wasm copied them all.
 * Sharing is safe because tensor data is never written after its kernel made it.
 */
export function identity(stock: KernelFn): KernelFn {
  return (args) => {
    const { x } = args.inputs as Record<"x", tf.TensorInfo>;
    if (x.dtype === "string") return stock(args);
    (args.backend as unknown as WasmBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

export function cast(stock: KernelFn, sameDtype: KernelFn): KernelFn {
  return (args) => {
    const { x } = args.inputs as Record<"x", tf.TensorInfo>;
    const { dtype } = args.attrs as unknown as tf.CastAttrs;
    return x.dtype === dtype ? sameDtype(args) : stock(args);
  };
}
