import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";

export async function rejects(p: Promise<unknown> | (() => unknown), pattern: RegExp): Promise<void> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    assert.ok(e instanceof dv.DeepVizError, `expected DeepVizError, got ${(e as Error).name}: ${(e as Error).message}`);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.fail(`expected a DeepVizError matching ${pattern}`);
}

/** Runs `run` on inputs made beforehand and checks that no tensor outlives it (the inputs are then disposed). */
export async function noLeaks(inputs: tf.Tensor[], run: () => Promise<unknown> | unknown): Promise<void> {
  const before = tf.memory().numTensors;
  try {
    const out = await run();
    if (out && typeof (out as { dispose?: unknown }).dispose === "function") (out as { dispose(): void }).dispose();
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
  } finally {
    tf.dispose(inputs);
  }
}
