// Profiles forward + input gradient of a VGG16-size net (plain tf ops) per kernel.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { useFastKernels } from "../src/kernels";

async function main() {
  await tf.setBackend(process.argv[2] ?? "wasm");
  await tf.ready();
  if (process.argv[3] === "fast") useFastKernels(true);
  const cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"];
  const ws: tf.Tensor[] = [];
  let c = 3;
  for (const v of cfg) if (v !== "M") { ws.push(tf.randomNormal([3, 3, c, v as number], 0, Math.sqrt(2 / (9 * c))), tf.zeros([v as number])); c = v as number; }
  const dense = [[7 * 7 * 512, 4096], [4096, 4096], [4096, 1000]].map(([a, b]) => [tf.randomNormal([a, b], 0, Math.sqrt(2 / a)), tf.zeros([b])]);
  const f = (x0: tf.Tensor) => { const x = x0 as tf.Tensor4D;
    let h: tf.Tensor4D = x; let i = 0;
    for (const v of cfg) {
      if (v === "M") h = tf.maxPool(h, 2, 2, "valid");
      else { h = tf.relu(tf.add(tf.conv2d(h, ws[i] as tf.Tensor4D, 1, "same"), ws[i + 1])) as tf.Tensor4D; i += 2; }
    }
    let d: tf.Tensor = tf.reshape(h, [h.shape[0], -1]);
    dense.forEach(([w, b], k) => { d = tf.add(tf.matMul(d as tf.Tensor2D, w as tf.Tensor2D), b); if (k < 2) d = tf.relu(d); });
    return tf.sum(tf.mul(d, tf.oneHot([3], 1000)));
  };
  const x = tf.randomUniform([1, 224, 224, 3]) as tf.Tensor4D;
  const g = tf.grad(f);
  for (const [name, fn] of [["forward", () => f(x)], ["grad", () => g(x)]] as const) {
    tf.tidy(() => fn()).dataSync();
    const t0 = Date.now();
    const prof = await tf.profile(() => { const r = fn(); r.dataSync(); return r; });
    const ms = Date.now() - t0;
    const by: Record<string, number> = {};
    for (const k of prof.kernels) by[k.name] = (by[k.name] ?? 0) + (k.kernelTimeMs as number);
    console.log(name, ms, "ms; peak", (prof.peakBytes / 1e6).toFixed(0), "MB");
    console.log(Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `  ${k}: ${v.toFixed(0)}`).join("\n"));
    tf.dispose(prof.result);
  }
}
main();
