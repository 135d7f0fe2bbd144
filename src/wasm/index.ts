import * as tf from "@tensorflow/tfjs";
import { whenBackendReady } from "../backend";
import { conv2dBackpropInput, depthwiseBackpropInput, KernelFn } from "./conv-gradients";
import { borrowedFromCpu } from "./from-cpu";
import { maxPoolGrad } from "./max-pool-grad";
import { batchMatMul } from "./mat-mul";
import { tile } from "./tile";
import { cast, identity } from "./identity";
import { releaseAllFlippedFilters } from "./flipped-filters";

/**
 * Gradient kernels the library registers on the wasm backend: fast input gradients of convolutions
 * (stock wasm spends ~90 % of a VGG16 input gradient in Conv2DBackpropInput), and the gradient
 * kernels stock wasm lacks, so that no gradient fails with "kernel not registered".
 */
const BORROWED = ["Conv2DBackpropFilter", "DepthwiseConv2dNativeBackpropFilter", "UnsortedSegmentSum"] as const;

/** The stock wasm kernel of each name we replace (undefined where stock wasm had none). */
const stockKernels = new Map<string, tf.KernelConfig | undefined>();
let enabled = false;

/** Calls the stock wasm kernel (for the cases our kernels leave to it). */
function stockFn(name: string): KernelFn {
  return (args) => {
    const kernel = stockKernels.get(name);
    if (!kernel) throw new Error(`stock wasm has no ${name} kernel`);
    return kernel.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  };
}

function ours(): Array<[string, KernelFn]> {
  return [
    ["Conv2DBackpropInput", conv2dBackpropInput(stockFn("Conv2DBackpropInput"))],
    ["DepthwiseConv2dNativeBackpropInput", depthwiseBackpropInput()],
    ["MaxPoolGrad", maxPoolGrad()],
    ["BatchMatMul", batchMatMul(stockFn("BatchMatMul"))],
    ["Tile", tile(stockFn("Tile"))],
    ["Identity", identity(stockFn("Identity"))],
    ["Cast", cast(stockFn("Cast"), identity(stockFn("Identity")))],
    ...BORROWED.map((name): [string, KernelFn] => [name, borrowedFromCpu(name)]),
  ];
}

function register(name: string, config: tf.KernelConfig | undefined): void {
  if (tf.getKernel(name, "wasm")) tf.unregisterKernel(name, "wasm");
  if (config) tf.registerKernel(config);
}

/**
 * Switches the library's wasm kernels on (the default once the wasm backend is chosen) or back to
 * stock tfjs-backend-wasm (for benchmarks and equality tests). Returns the previous state.
 */
export function useFastKernels(on: boolean): boolean {
  const was = enabled;
  if (on === was) return was;
  const kernels = ours();
  if (stockKernels.size === 0) for (const [name] of kernels) stockKernels.set(name, tf.getKernel(name, "wasm"));
  for (const [name, kernelFunc] of kernels) {
    register(
      name,
      on ? { kernelName: name, backendName: "wasm", kernelFunc: kernelFunc as unknown as tf.KernelFunc } : stockKernels.get(name),
    );
  }
  if (!on) releaseAllFlippedFilters();
  enabled = on;
  return was;
}

export function fastKernelsOn(): boolean {
  return enabled;
}

whenBackendReady((name) => {
  if (name === "wasm") useFastKernels(true);
});

/**
 * The gradient of conv2d(x, filter, strides, pad, dilations) with respect to x, for dilations too
 * (tfjs's own conv2d gradient refuses dilations > 1). Needs the wasm backend with the fast kernels.
 */
export function conv2dInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  strides: number | [number, number],
  pad: "same" | "valid" | number | number[][],
  dilations: number | [number, number] = 1,
): tf.Tensor4D {
  const dilated = typeof dilations === "number" ? dilations > 1 : dilations.some((d) => d > 1);
  if (dilated && !(tf.getBackend() === "wasm" && fastKernelsOn())) {
    throw new Error("conv2dInputGradient with dilations needs the wasm backend with deepviz's kernels");
  }
  const attrs = { inputShape, strides, pad, dataFormat: "NHWC", dilations } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel("Conv2DBackpropInput", { dy, filter }, attrs) as tf.Tensor4D;
}
