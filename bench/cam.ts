/**
 * CAM-family timings (not a test): one 224×224 image through a small VGG-like GAP CNN (last conv 28×28×64).
 * Run: npm run bench:cam
 */
import * as tf from "@tensorflow/tfjs";
import * as dv from "../src";

function cnn(): tf.LayersModel {
  const m = tf.sequential();
  let first = true;
  for (const filters of [16, 32, 64, 64]) {
    m.add(
      tf.layers.conv2d({
        ...(first ? { inputShape: [224, 224, 3] } : {}),
        filters,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
      }),
    );
    if (filters !== 64 || m.layers.length < 6) m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    first = false;
  }
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.dense({ units: 10, activation: "softmax" }));
  return m;
}

async function timeIt(label: string, runs: number, fn: () => Promise<dv.Attribution>): Promise<number> {
  (await fn()).dispose(); // warm up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    (await fn()).dispose();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`${label.padEnd(52)} median ${median.toFixed(1)} ms  (min ${times[0].toFixed(1)})`);
  return median;
}

export async function main(): Promise<void> {
  console.log(`backend: ${await dv.backend()}`);
  const model = cnn();
  const layer = dv.resolveLayer(model, "lastConv");
  console.log(`last conv ${layer.name}: [${(layer.outputShape as number[]).slice(1).join(", ")}]`);
  const x = tf.randomUniform([224, 224, 3], 0, 1, "float32", 1);
  await timeIt("guidedBackprop", 5, () => dv.guidedBackprop(model, x));
  await timeIt("gradCam (bilinear to 224×224)", 5, () => dv.gradCam(model, x));
  await timeIt("gradCamPlusPlus", 5, () => dv.gradCamPlusPlus(model, x));
  await timeIt("guidedGradCam", 5, () => dv.guidedGradCam(model, x));
  await timeIt("cam", 5, () => dv.cam(model, x));
  await timeIt("scoreCam (64 masked passes, batches of 16)", 2, () => dv.scoreCam(model, x, { batchSize: 16 }));
  x.dispose();
}

if (require.main === module) main();
