import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { smallCnn } from "../helpers/models";

const COMM_MANAGER = Symbol.for("deepviz.kernel.commManager");

interface Shown {
  bundle: Record<string, string>;
  options: { displayId?: string; update?: boolean };
}

describe("progress displays: notebook and terminal", function () {
  this.timeout(120000);
  const model = smallCnn(3);
  const x = tf.tidy(() => tf.randomUniform([8, 8, 3], 0, 1, "float32", 9));
  before(() => dv.backend());

  /** Integrated gradients slowed to about 2 s by a slow onProgress, so a display appears. */
  const slowIg = (extra: dv.RunOptions = {}) =>
    dv.integratedGradients(model, x, {
      steps: 40,
      batchSize: 1,
      target: 0,
      ...extra,
      onProgress: () => {
        const until = Date.now() + 50;
        while (Date.now() < until);
      },
    });

  it("in a notebook: one display, updated while the work runs and completed at the end", async () => {
    const shown: Shown[] = [];
    (globalThis as Record<symbol, unknown>)[COMM_MANAGER] = {
      display: (bundle: Record<string, string>, _metadata: unknown, options: Shown["options"]) => shown.push({ bundle, options }),
    };
    try {
      (await slowIg()).dispose();
      assert.ok(shown.length >= 3, `${shown.length} displays`);
      const id = shown[0].options.displayId!;
      assert.match(id, /^deepviz-progress-/);
      assert.equal(shown[0].options.update, false);
      assert.ok(shown.slice(1).every((s) => s.options.displayId === id && s.options.update === true));
      assert.match(shown[0].bundle["text/plain"], /integratedGradients: \d+\/40 steps \(\d+%\), \d\.\d s, about \d+\.\d s left$/);
      assert.match(shown[0].bundle["text/html"], /<progress value="\d+" max="40"/);
      const last = shown[shown.length - 1].bundle;
      assert.match(last["text/plain"], /integratedGradients: 40 steps in \d\.\d s$/);
      assert.match(last["text/html"], /<progress value="40" max="40"/);

      shown.length = 0;
      (await slowIg({ progress: false })).dispose();
      assert.equal(shown.length, 0, "progress: false shows nothing");
      (await dv.saliency(model, x)).dispose();
      assert.equal(shown.length, 0, "quick work shows nothing");
    } finally {
      delete (globalThis as Record<symbol, unknown>)[COMM_MANAGER];
    }
  });

  it("in a terminal: one line on stderr, redrawn in place, ended with a newline", async () => {
    const writes: string[] = [];
    const write = process.stderr.write;
    const tty = process.stderr.isTTY;
    process.stderr.isTTY = true;
    process.stderr.write = ((chunk: string) => (writes.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      (await slowIg()).dispose();
    } finally {
      process.stderr.write = write;
      process.stderr.isTTY = tty;
    }
    const ours = writes.filter((w) => w.includes("integratedGradients"));
    assert.ok(ours.length >= 2, `${ours.length} lines: ${JSON.stringify(writes)}`);
    assert.ok(ours.every((w) => w.startsWith("\r")));
    const last = ours[ours.length - 1];
    assert.match(last, /integratedGradients: 40 steps in \d\.\d s/);
    assert.ok(last.endsWith("\u001b[K\n"), "clears the rest of the line and ends it");
  });
});
