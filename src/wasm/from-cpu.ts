import * as tf from "@tensorflow/tfjs";
import { WasmBackend } from "./wasm-heap";
import type { KernelFn } from "./conv-gradients";

/**
 * A wasm kernel that stock tfjs-backend-wasm lacks, borrowed from the cpu backend: the inputs are
 * copied to cpu, the cpu kernel runs, and its output is copied back. Used for gradients that would
 * otherwise fail on wasm ("kernel not registered"), e.g. training a convolution's filter.
 */
export function borrowedFromCpu(kernelName: string): KernelFn {
  return (args) => {
    const cpu = tf.engine().findBackend("cpu");
    const kernel = tf.getKernel(kernelName, "cpu");
    if (!cpu || !kernel) throw new Error(`${kernelName} needs the cpu backend, which is not available`);
    const wasm = args.backend;
    const copies: tf.TensorInfo[] = [];
    const inputs: tf.NamedTensorInfoMap = {};
    for (const [name, t] of Object.entries(args.inputs) as Array<[string, tf.TensorInfo]>) {
      const values = wasm.readSync(t.dataId) as tf.backend_util.BackendValues;
      const copy = { dataId: cpu.write(values.slice(), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
      copies.push(copy);
      inputs[name] = copy;
    }
    const result = kernel.kernelFunc({ inputs, attrs: args.attrs ?? {}, backend: cpu }) as tf.TensorInfo;
    const values = cpu.readSync(result.dataId) as tf.backend_util.TypedArray;
    for (const c of [...copies, result]) cpu.disposeData(c.dataId);
    const w = wasm as unknown as WasmBackend;
    const out = w.makeOutput(result.shape, result.dtype);
    w.typedArrayFromHeap(out).set(values);
    return out;
  };
}
