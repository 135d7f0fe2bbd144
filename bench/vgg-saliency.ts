/**
 * One VGG16 saliency timing (median wall time of `reps`, after a warm-up), shared by bench/reference.ts in this process and
 * in a child process with another wasm thread count (threads are fixed when the backend starts).
 * As a script: `node dist/bench/vgg-saliency.js REPS` prints `{ ms, threads }` as JSON.
 */
import * as tf from "@tensorflow/tfjs";
import * as dv from "../src";
import { wasmThreads } from "../src/wasm/threads";
import { median } from "./measure";
import { vgg16 } from "./models";

export async function timeVggSaliency(reps: number): Promise<{ ms: number; threads: number }> {
  await dv.backend();
  const bm = vgg16();
  const x = tf.randomUniform([224, 224, 3]);
  const walls: number[] = [];
  try {
    for (let i = 0; i <= reps; i++) {
      // the first run warms up
      const start = performance.now();
      const sal = await dv.saliency(bm.model, x, { target: 3 });
      await sal.values.data();
      sal.dispose();
      if (i > 0) walls.push(performance.now() - start);
    }
  } finally {
    x.dispose();
    bm.model.dispose();
  }
  return { ms: median(walls), threads: wasmThreads() };
}

if (require.main === module) {
  timeVggSaliency(Number(process.argv[2] ?? 3)).then((r) => process.stdout.write(JSON.stringify(r)));
}
