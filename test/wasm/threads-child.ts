// Run by threads.test.ts in a fresh process (threads must be chosen before the wasm backend starts).
import * as tf from "@tensorflow/tfjs";
import { backend } from "../../src";
import { wasmThreads } from "../../src/wasm/threads";

async function main() {
  await backend();
  const x = tf.tensor4d(
    Array.from({ length: 2 * 16 * 16 * 8 }, (_, i) => Math.sin(i)),
    [2, 16, 16, 8],
  );
  const w = tf.tensor4d(
    Array.from({ length: 3 * 3 * 8 * 16 }, (_, i) => Math.cos(i)),
    [3, 3, 8, 16],
  );
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.conv2d(t as tf.Tensor4D, w, 1, "same"))))(x);
  process.stdout.write(JSON.stringify({ backend: tf.getBackend(), threads: wasmThreads(), grad: Array.from(g.dataSync()) }));
}
main();
