import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { strict as assert } from "assert";
import { DeepVizError } from "../../src/errors";

/** Where tests write the pictures a person should look at (gitignored). */
export function outPath(name: string): string {
  const dir = path.join(__dirname, "..", "..", "test-output", "render");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

/** Runs fn and checks it left no tensors behind. */
export function noLeak<T>(fn: () => T): T {
  const before = tf.memory().numTensors;
  const out = fn();
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
  return out;
}

export function throwsDeepViz(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof DeepVizError && pattern.test((e as Error).message));
}
