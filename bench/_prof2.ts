import * as tf from "@tensorflow/tfjs";
import * as dv from "../src";
import { mobileNetStyle, smallCnn, vgg16 } from "./models";
async function main() {
  await dv.backend();
  for (const make of (process.argv[2] === "vgg" ? [vgg16] : [smallCnn, mobileNetStyle])) {
    const bm = make(); const x = tf.randomUniform([1, ...bm.inputShape]);
    const run = async () => (await dv.saliency(bm.model, x, { target: 3 })).dispose();
    await run(); await run();
    const t0 = performance.now();
    const p = await tf.profile(run);
    const by: Record<string, number> = {}; const cnt: Record<string, number> = {};
    for (const k of p.kernels) { by[k.name] = (by[k.name] ?? 0) + (k.kernelTimeMs as number); cnt[k.name] = (cnt[k.name] ?? 0) + 1; }
    const tot = Object.values(by).reduce((a, b) => a + b, 0);
    console.log(bm.name, (performance.now() - t0).toFixed(0), "ms wall;", tot.toFixed(0), "ms in", p.kernels.length, "kernels");
    console.log(Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 16).map(([k, v]) => `  ${k} ×${cnt[k]}: ${v.toFixed(1)}`).join("\n"));
  }
}
main();
