import * as tf from "@tensorflow/tfjs";

/**
 * The few parts of the wasm backend (tfjs-backend-wasm's BackendWasm) that our kernels use. Typed here
 * so that the library does not import the backend's internals.
 */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

/** A float32 view of a tensor on the wasm heap. Take views only after the last allocation: growing
 * the heap detaches earlier views. */
export function f32(backend: WasmBackend, info: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** Runs another kernel that is registered for the backend (the stock wasm kernels are reused this way). */
export function runKernel(
  name: string,
  backend: WasmBackend,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  backendName = "wasm",
): tf.TensorInfo {
  const kernel = tf.getKernel(name, backendName);
  if (!kernel) throw new Error(`kernel ${name} is not registered for ${backendName}`);
  return kernel.kernelFunc({ inputs, attrs, backend: backend as unknown as tf.KernelBackend }) as tf.TensorInfo;
}
