import * as tf from "@tensorflow/tfjs";
import { convolveOutputGradient, flipAndSwap, flipDepthwise } from "./backprop-input";
import { flippedFilter } from "./flipped-filters";
import { f32, WasmBackend } from "./wasm-heap";

type Args = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: tf.KernelBackend };
export type KernelFn = (args: Args) => tf.TensorInfo;

function geometry(info: tf.backend_util.Conv2DInfo) {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Conv2DBackpropInput on the forward Conv2D kernel; `stock` handles NCHW, which wasm's Conv2D lacks.
 * tfjs's attrs have no dilations (its conv2d gradient refuses them); this kernel honours a
 * `dilations` attr when one is passed, which `conv2dInputGradient` uses.
 */
export function conv2dBackpropInput(stock: KernelFn): KernelFn {
  return (args) => {
    const { dy, filter } = args.inputs as Record<"dy" | "filter", tf.TensorInfo>;
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (attrs.dataFormat === "NCHW") return stock(args);
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      (attrs as { dilations?: [number, number] }).dilations ?? 1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      "channelsLast",
    );
    const backend = args.backend as unknown as WasmBackend;
    const flipped = flippedFilter(backend, filter, "conv2d", flipAndSwap);
    return convolveOutputGradient(backend, "Conv2D", dy, flipped, geometry(info));
  };
}

/**
 * DepthwiseConv2dNativeBackpropInput (absent from stock wasm) on the forward depthwise kernel.
 * With a channel multiplier m, every input channel feeds m outputs; their m gradient maps are summed.
 */
export function depthwiseBackpropInput(): KernelFn {
  return (args) => {
    const { dy, filter } = args.inputs as Record<"dy" | "filter", tf.TensorInfo>;
    const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      attrs.dilations,
      attrs.pad,
      attrs.dimRoundingMode,
      true,
    );
    const backend = args.backend as unknown as WasmBackend;
    const flipped = flippedFilter(backend, filter, "depthwise", flipDepthwise);
    const spread = convolveOutputGradient(backend, "DepthwiseConv2dNative", dy, flipped, geometry(info));
    const m = filter.shape[3];
    if (m === 1) return spread;
    const [n, h, w, cm] = spread.shape;
    const out = backend.makeOutput([n, h, w, cm / m], "float32");
    const dst = f32(backend, out);
    const src = f32(backend, spread);
    for (let i = 0; i < dst.length; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += src[i * m + j];
      dst[i] = s;
    }
    backend.disposeData(spread.dataId);
    return out;
  };
}
