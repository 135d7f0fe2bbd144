import * as tf from "@tensorflow/tfjs";

/**
 * Conv training on the wasm backend of tfjs 4.22, for `npm run train`. That backend has no
 * Conv2DBackpropFilter kernel (training fails), and its Conv2DBackpropInput and its transposes are slow.
 * Both are expressed here as the wasm kernels that are fast (XNNPACK matrix product and forward conv),
 * called directly on backend tensors so nothing is tracked by the engine:
 *  - filter gradient = im2col(x)ᵀ · dy, the im2col built in JS already transposed;
 *  - input gradient (stride 1, "same", odd kernel) = conv of dy with the filter flipped and its
 *    channel axes swapped; other cases keep the original kernel.
 * The filter gradient replaces the library's (src/wasm borrows the cpu backend's kernel, ~300× slower
 * on mnist_cnn's batches), also when the library registers its kernels again after a backend switch.
 */
type Info = tf.TensorInfo;
interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: Float32Array): Info;
}
type Attrs = Record<string, unknown>;

function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [v[0], v[1]] : [v as number, v as number];
}

function filterGrad(x: Info, dy: Info, attrs: Attrs, backend: WasmBackend): Info {
  const filterShape = attrs.filterShape as [number, number, number, number];
  if (attrs.dataFormat === "NCHW") throw new Error("Conv2DBackpropFilter (wasm): only NHWC is supported");
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    pair(attrs.strides),
    pair(attrs.dilations ?? 1),
    attrs.pad as "same",
    attrs.dimRoundingMode as "floor" | undefined,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const xs = backend.readSync(x.dataId) as Float32Array;
  const P = n * oh * ow,
    K = kh * kw * ci;
  // columnsT[(i·kw + j)·ci + c][p] = x at output pixel p shifted by (i, j), channel c (0 in the padding)
  const columnsT = new Float32Array(K * P);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let b = 0; b < n; b++)
        for (let oy = 0; oy < oh; oy++) {
          const y = oy * sh + i * dh - top;
          if (y < 0 || y >= h) continue;
          for (let ox = 0; ox < ow; ox++) {
            const xx = ox * sw + j * dw - left;
            if (xx < 0 || xx >= w) continue;
            const p = (b * oh + oy) * ow + ox,
              src = ((b * h + y) * w + xx) * ci,
              row = (i * kw + j) * ci;
            for (let c = 0; c < ci; c++) columnsT[(row + c) * P + p] = xs[src + c];
          }
        }
  const a = backend.makeOutput([1, K, P], "float32", undefined, columnsT);
  const product = tf.getKernel("BatchMatMul", "wasm")!.kernelFunc({
    inputs: { a, b: { dataId: dy.dataId, shape: [1, P, co], dtype: "float32" } },
    attrs: { transposeA: false, transposeB: false },
    backend,
  }) as Info;
  backend.disposeData(a.dataId);
  return { dataId: product.dataId, shape: filterShape, dtype: "float32" };
}

function inputGradViaConv(dy: Info, filter: Info, attrs: Attrs, backend: WasmBackend): Info | null {
  const [kh, kw, ci, co] = filter.shape;
  const [sh, sw] = pair(attrs.strides);
  if (sh !== 1 || sw !== 1 || attrs.pad !== "same" || kh % 2 === 0 || kw % 2 === 0 || attrs.dataFormat === "NCHW") return null;
  const f = backend.readSync(filter.dataId) as Float32Array;
  const flipped = new Float32Array(f.length); // [kh, kw, co, ci], rotated by 180°
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < ci; c++)
        for (let o = 0; o < co; o++)
          flipped[((i * kw + j) * co + o) * ci + c] = f[(((kh - 1 - i) * kw + (kw - 1 - j)) * ci + c) * co + o];
  const g = backend.makeOutput([kh, kw, co, ci], "float32", undefined, flipped);
  const dx = tf.getKernel("Conv2D", "wasm")!.kernelFunc({
    inputs: { x: dy, filter: g },
    attrs: { strides: 1, pad: "same", dataFormat: "NHWC", dilations: 1 },
    backend,
  }) as Info;
  backend.disposeData(g.dataId);
  return dx;
}

const filterKernel: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) =>
    filterGrad(inputs.x as Info, inputs.dy as Info, attrs as Attrs, backend as WasmBackend),
};

let registered = false;
export function registerWasmConvTraining(): void {
  if (tf.getBackend() !== "wasm") return;
  if (tf.getKernel("Conv2DBackpropFilter", "wasm")?.kernelFunc !== filterKernel.kernelFunc) {
    if (tf.getKernel("Conv2DBackpropFilter", "wasm")) tf.unregisterKernel("Conv2DBackpropFilter", "wasm");
    tf.registerKernel(filterKernel);
  }
  if (registered) return;
  registered = true;
  const original = tf.getKernel("Conv2DBackpropInput", "wasm");
  if (original) {
    tf.unregisterKernel("Conv2DBackpropInput", "wasm");
    tf.registerKernel({
      ...original,
      kernelFunc: (args) =>
        inputGradViaConv(args.inputs.dy as Info, args.inputs.filter as Info, args.attrs as Attrs, args.backend as WasmBackend) ??
        (original.kernelFunc(args) as Info),
    });
  }
}
