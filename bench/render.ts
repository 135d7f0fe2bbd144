/**
 * Rendering timings (not a test): a 224×224 attribution blended over its image, to RGBA and to PNG.
 * Target: the blended overlay under 20 ms. Run: npm run bench:render
 */
import * as tf from "@tensorflow/tfjs";
import { backend } from "../src/backend";
import { Attribution } from "../src/attribution";
import * as render from "../src/render";

function timeIt(label: string, runs: number, fn: () => unknown): number {
  for (let i = 0; i < 3; i++) fn(); // warm up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `${label.padEnd(58)} median ${median.toFixed(2)} ms  (min ${times[0].toFixed(2)}, max ${times[times.length - 1].toFixed(2)})`,
  );
  return median;
}

export async function main(): Promise<void> {
  console.log(`backend: ${await backend()}`);
  const input = tf.randomUniform([224, 224, 3], 0, 1, "float32", 1);
  const values = tf.randomNormal([224, 224, 3], 0, 1, "float32", 2);
  const attr = new Attribution(values, "saliency", input, [0], false);
  const cam = new Attribution(tf.randomUniform([7, 7, 1], 0, 1, "float32", 3), "gradCam", input.clone(), [0], false);
  const runs = 30;
  const blended = timeIt("224×224 blended overlay → RGBA (outlierPerc, blues)", runs, () => render.attribution(attr));
  timeIt("224×224 blended overlay → RGBA + PNG", runs, () => render.attribution(attr).png());
  timeIt("224×224 heat map, sign all, redWhiteGreen → RGBA", runs, () =>
    render.attribution(attr, { view: "heatmap", sign: "all" }),
  );
  timeIt("7×7 Grad-CAM upsampled + blended over 224×224 (jet)", runs, () => render.attribution(cam, { cmap: "jet" }));
  timeIt("224×224 blended with title + colour bar (canvas) + PNG", 10, () =>
    render.attribution(attr, { title: "saliency", colorbar: true }).png(),
  );
  console.log(`target: blended overlay < 20 ms → ${blended < 20 ? "met" : "NOT met"} (${blended.toFixed(2)} ms)`);
  attr.dispose();
  cam.dispose();
}

if (require.main === module) main();
