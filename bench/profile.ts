/**
 * `npm run bench:profile -- [small|mobile|vgg|detector] [stock]`: where one saliency spends its time, per
 * kernel (tf.profile), with the library's kernels or with stock tfjs's; for convolutions and matrix
 * products also the arithmetic rate each call reaches (GFLOP/s), against which the machine's limit
 * and PyTorch's rate (bench/saliency_torch.py --profile) can be read.
 */
import * as os from "os";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../src";
import type { Target } from "../src/attribution";
import { useFastKernels } from "../src/wasm";
import { wasmThreads } from "../src/wasm/threads";
import { centerNetShaped } from "./graph-models";
import { mobileNetStyle, smallCnn, vgg16 } from "./models";

type KernelInfo = { name: string; inputShapes: number[][]; outputShapes: number[][]; kernelTimeMs: number };
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Multiply–adds × 2 of one kernel call, from its shapes (0 for kernels that are not products). */
export function flops(k: KernelInfo): number {
  const [a, b] = k.inputShapes;
  const out = k.outputShapes[0] ?? [];
  if (!a || !b) return 0;
  if (k.name === "Conv2D") return 2 * prod(out) * b[0]! * b[1]! * b[2]!; // out × kh·kw·cin
  if (k.name === "Conv2DBackpropInput") return 2 * prod(out) * b[0]! * b[1]! * b[3]!; // dx × kh·kw·cout
  // [m,k]·[k,n] = [m,n] in any transposition: |a|·|b| / |out| = k² (one batch)
  if (k.name === "BatchMatMul") return 2 * prod(out) * Math.sqrt((prod(a) * prod(b)) / prod(out));
  return 0;
}

async function profileSaliency(): Promise<void> {
  await dv.backend();
  if (process.argv[3] === "stock") useFastKernels(false);
  const which = process.argv[2] ?? "vgg";
  // "detector": bench/graph-models.ts's 512² CenterNet-shaped GraphModel, with its heatmap-peak target
  const bm =
    which === "detector"
      ? {
          name: "512² detector GraphModel",
          model: (await centerNetShaped()).model as dv.Model,
          inputShape: [512, 512, 3],
          target: dv.targets.heatmapPeak(0),
        }
      : { ...({ small: smallCnn, mobile: mobileNetStyle, vgg: vgg16 }[which] ?? vgg16)(), target: 3 as Target };
  const x = tf.randomUniform([1, ...bm.inputShape], 0, which === "detector" ? 255 : 1);
  const run = async () => (await dv.saliency(bm.model, x, { target: bm.target })).dispose();
  await run();
  await run();
  const start = performance.now();
  const profile = await tf.profile(run);
  const wall = performance.now() - start;
  const kernels = profile.kernels as unknown as KernelInfo[];
  const time: Record<string, number> = {};
  const calls: Record<string, number> = {};
  const work: Record<string, number> = {};
  for (const k of kernels) {
    time[k.name] = (time[k.name] ?? 0) + k.kernelTimeMs;
    calls[k.name] = (calls[k.name] ?? 0) + 1;
    work[k.name] = (work[k.name] ?? 0) + flops(k);
  }
  const threads = wasmThreads();
  console.log(
    `${bm.name} saliency (${process.argv[3] === "stock" ? "stock" : "library"} kernels, ${tf.getBackend()} ${threads} thread(s), ` +
      `load ${os.loadavg()[0]!.toFixed(1)}): ${wall.toFixed(0)} ms wall, ${kernels.length} kernels, ` +
      `peak ${(profile.peakBytes / 2 ** 20).toFixed(0)} MB`,
  );
  const rate = (f: number, ms: number) => (f ? `${(f / ms / 1e6).toFixed(1)} GFLOP/s` : "");
  for (const [name, ms] of Object.entries(time)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)) {
    const f = work[name]!;
    console.log(
      `  ${name.padEnd(28)} ×${String(calls[name]).padEnd(4)} ${ms.toFixed(1).padStart(8)} ms` +
        `${f ? `  ${(f / 1e9).toFixed(2).padStart(6)} GFLOP  ${rate(f, ms).padStart(14)}  (${(f / ms / 1e6 / threads).toFixed(1)}/thread)` : ""}`,
    );
  }
  const total = Object.values(time).reduce((a, b) => a + b, 0);
  const convMs = (time.Conv2D ?? 0) + (time.Conv2DBackpropInput ?? 0);
  const convFlop = (work.Conv2D ?? 0) + (work.Conv2DBackpropInput ?? 0);
  console.log(
    `  convolutions: ${convMs.toFixed(0)} of ${total.toFixed(0)} ms kernel time (${((100 * convMs) / total).toFixed(0)} %), ` +
      `${(convFlop / 1e9).toFixed(1)} GFLOP at ${(convFlop / convMs / 1e6 / threads).toFixed(1)} GFLOP/s per thread; ` +
      `everything else ${(total - convMs).toFixed(0)} ms`,
  );
  console.log("  per call (convolutions):");
  for (const k of kernels.filter((k) => k.name.startsWith("Conv2D"))) {
    const shapes = `${JSON.stringify(k.inputShapes)} → ${JSON.stringify(k.outputShapes[0])}`;
    console.log(
      `    ${k.name.padEnd(20)} ${shapes.padEnd(48)} ${k.kernelTimeMs.toFixed(1).padStart(7)} ms ${rate(flops(k), k.kernelTimeMs).padStart(14)}`,
    );
  }
  x.dispose();
  bm.model.dispose();
}
if (require.main === module) profileSaliency();
