/**
 * `npm run bench:profile -- [small|mobile|vgg] [stock]`: where one saliency spends its time, per
 * kernel (tf.profile), with the library's kernels or with stock tfjs's.
 */
import * as tf from "@tensorflow/tfjs";
import * as dv from "../src";
import { useFastKernels } from "../src/wasm";
import { mobileNetStyle, smallCnn, vgg16 } from "./models";

/** Not part of `npm run bench` (the runner calls every bench's main): runs only as a script. */
async function profileSaliency(): Promise<void> {
  await dv.backend();
  const make = { small: smallCnn, mobile: mobileNetStyle, vgg: vgg16 }[process.argv[2] ?? "vgg"] ?? vgg16;
  if (process.argv[3] === "stock") useFastKernels(false);
  const bm = make();
  const x = tf.randomUniform([1, ...bm.inputShape]);
  const run = async () => (await dv.saliency(bm.model, x, { target: 3 })).dispose();
  await run();
  const start = performance.now();
  const profile = await tf.profile(run);
  const wall = performance.now() - start;
  const time: Record<string, number> = {};
  const calls: Record<string, number> = {};
  for (const k of profile.kernels) {
    time[k.name] = (time[k.name] ?? 0) + (k.kernelTimeMs as number);
    calls[k.name] = (calls[k.name] ?? 0) + 1;
  }
  console.log(
    `${bm.name} saliency (${process.argv[3] === "stock" ? "stock" : "library"} kernels): ${wall.toFixed(0)} ms wall, ` +
      `${profile.kernels.length} kernels, peak ${(profile.peakBytes / 2 ** 20).toFixed(0)} MB`,
  );
  for (const [name, ms] of Object.entries(time)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)) {
    console.log(`  ${name.padEnd(36)} ×${String(calls[name]).padEnd(4)} ${ms.toFixed(1).padStart(8)} ms`);
  }
}
if (require.main === module) profileSaliency();
