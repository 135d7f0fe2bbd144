import * as tf from "@tensorflow/tfjs";

/** A tensor described by its values, so the same data can be fed to two backends. */
export interface Data {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype: "float32" | "int32";
}

/** A small deterministic generator (tests must not depend on Math.random's seed). */
export function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
    data: (shape: number[]): Data => {
      const n = shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = next() * 2 - 1;
      return { values, shape, dtype: "float32" };
    },
  };
}

/** Runs the cpu backend's kernel directly (the reference), whatever backend is active. */
export function onCpu(kernelName: string, inputs: Record<string, Data>, attrs: object): Data {
  const cpu = tf.engine().findBackend("cpu");
  const kernel = tf.getKernel(kernelName, "cpu");
  if (!cpu || !kernel) throw new Error(`no cpu ${kernelName}`);
  const infos: tf.NamedTensorInfoMap = {};
  for (const [k, d] of Object.entries(inputs)) {
    infos[k] = { dataId: cpu.write(d.values.slice(), d.shape, d.dtype), shape: d.shape, dtype: d.dtype };
  }
  const out = kernel.kernelFunc({ inputs: infos, attrs: attrs as tf.NamedAttrMap, backend: cpu }) as tf.TensorInfo;
  const values = (cpu.readSync(out.dataId) as Float32Array).slice();
  for (const t of [...Object.values(infos), out]) cpu.disposeData(t!.dataId);
  return { values, shape: out.shape, dtype: out.dtype as "float32" };
}

/** Runs a kernel through the engine on the active backend (wasm in these tests). */
export function onActive(kernelName: string, inputs: Record<string, Data>, attrs: object): Data {
  return tf.tidy(() => {
    const ts: tf.NamedTensorMap = {};
    for (const [k, d] of Object.entries(inputs)) ts[k] = tf.tensor(d.values, d.shape, d.dtype);
    const out = tf.engine().runKernel(kernelName, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
    return { values: out.dataSync() as Float32Array, shape: out.shape, dtype: out.dtype as "float32" };
  });
}

/** Largest difference, relative to the reference's largest magnitude (at least 1). */
export function maxRelDiff(a: Data, b: Data): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shapes differ: [${a.shape}] vs [${b.shape}]`);
  let scale = 1;
  for (const v of b.values) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < a.values.length; i++) worst = Math.max(worst, Math.abs(a.values[i]! - b.values[i]!));
  return worst / scale;
}

/** A filter [kh, kw, a, b] with (d-1) zero rows/columns between its taps: dilation made explicit. */
export function dilateFilter(f: Data, dh: number, dw: number): Data {
  const [kh, kw, a, b] = f.shape as [number, number, number, number];
  const eh = (kh - 1) * dh + 1;
  const ew = (kw - 1) * dw + 1;
  const values = new Float32Array(eh * ew * a * b);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      const from = (y * kw + x) * a * b;
      values.set(f.values.subarray(from, from + a * b), (y * dh * ew + x * dw) * a * b);
    }
  }
  return { values, shape: [eh, ew, a, b], dtype: "float32" };
}
