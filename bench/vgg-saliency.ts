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

/** Multiply–adds × 2 of VGG16's thirteen 3×3 convolutions on a 224² image: a forward pass's arithmetic. */
export const VGG16_CONV_FLOP = 30.69e9;

/** Median wall times of `reps` saliency maps and of `reps` forward passes (after a warm-up each). */
export async function timeVggSaliency(reps: number): Promise<{ ms: number; forwardMs: number; threads: number }> {
  await dv.backend();
  const bm = vgg16();
  const x = tf.randomUniform([224, 224, 3]);
  const timed = async (run: () => Promise<void>) => {
    const walls: number[] = [];
    for (let i = 0; i <= reps; i++) {
      const start = performance.now();
      await run();
      if (i > 0) walls.push(performance.now() - start); // the first run warms up
    }
    return median(walls);
  };
  try {
    const ms = await timed(async () => {
      const sal = await dv.saliency(bm.model, x, { target: 3 });
      await sal.values.data();
      sal.dispose();
    });
    const forwardMs = await timed(async () => {
      const y = tf.tidy(() => bm.model.predict(x.expandDims(0)) as tf.Tensor);
      await y.data();
      y.dispose();
    });
    return { ms, forwardMs, threads: wasmThreads() };
  } finally {
    x.dispose();
    bm.model.dispose();
  }
}

if (require.main === module) {
  timeVggSaliency(Number(process.argv[2] ?? 3)).then((r) => process.stdout.write(JSON.stringify(r)));
}
