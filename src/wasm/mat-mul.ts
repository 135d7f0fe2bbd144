import * as tf from "@tensorflow/tfjs";
import { runKernel, WasmBackend } from "./wasm-heap";
import type { KernelFn } from "./conv-gradients";

/**
 * BatchMatMul for wasm with transposed operands. Stock wasm multiplies on XNNPACK only when neither
 * operand is transposed; otherwise it falls to a naive loop that is 5–25× slower, and every dense
 * layer's gradient (dy·Wᵀ for the input, xᵀ·dy for the weights) takes that path. Here the small
 * operand is transposed explicitly (or the product is computed transposed), so the multiplication
 * itself always runs untransposed on XNNPACK. Batched (rank > 2 with batch > 1) products stay stock.
 */
export function batchMatMul(stock: KernelFn): KernelFn {
  return (args) => {
    const { a, b } = args.inputs as Record<"a" | "b", tf.TensorInfo>;
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const batch = (t: tf.TensorInfo) => t.shape.slice(0, -2).reduce((p, d) => p * d, 1);
    if ((!transposeA && !transposeB) || a.dtype !== "float32" || b.dtype !== "float32" || batch(a) !== 1 || batch(b) !== 1) {
      return stock(args);
    }
    const backend = args.backend as unknown as WasmBackend;
    const as2d = (t: tf.TensorInfo): tf.TensorInfo => ({ dataId: t.dataId, dtype: t.dtype, shape: t.shape.slice(-2) });
    const transpose = (t: tf.TensorInfo) => runKernel("Transpose", backend, { x: t }, { perm: [1, 0] });
    const plain = (x: tf.TensorInfo, y: tf.TensorInfo) =>
      stock({ inputs: { a: x, b: y }, attrs: { transposeA: false, transposeB: false }, backend: args.backend });
    const A = as2d(a),
      B = as2d(b);
    const m = transposeA ? A.shape[1]! : A.shape[0]!;
    const n = transposeB ? B.shape[0]! : B.shape[1]!;
    const k = transposeA ? A.shape[0]! : A.shape[1]!;
    const temps: tf.TensorInfo[] = [];
    const keep = (t: tf.TensorInfo) => (temps.push(t), t);
    let result: tf.TensorInfo;
    if (transposeA && transposeB) {
      result = transpose(keep(plain(B, A))); // aᵀbᵀ = (ba)ᵀ
    } else if (transposeB) {
      // a·bᵀ: transpose b (n·k values), or compute (b·aᵀ)ᵀ moving m·k + m·n values; pick the smaller
      if (m * k + m * n < n * k) {
        const product = keep(plain(B, keep(transpose(A))));
        result = transpose(product);
      } else {
        result = plain(A, keep(transpose(B)));
      }
    } else {
      result = plain(keep(transpose(A)), B); // aᵀ·b
    }
    for (const t of temps) backend.disposeData(t.dataId);
    const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return { dataId: result.dataId, dtype: result.dtype, shape: [...outer, m, n] };
  };
}
