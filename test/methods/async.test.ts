import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { smallCnn } from "../helpers/models";

type Run = (options: dv.RunOptions) => Promise<{ dispose(): void } | unknown>;

/** Every long function, with settings that make it take many chunks on the 8×8 test CNN. */
function longRuns(model: tf.LayersModel, x: tf.Tensor): Array<[string, Run]> {
  return [
    ["integratedGradients", (o) => dv.integratedGradients(model, x, { steps: 300, batchSize: 3, target: 1, ...o })],
    ["smoothGrad", (o) => dv.smoothGrad(model, x, { samples: 60, batchSize: 2, target: 1, ...o })],
    ["occlusion", (o) => dv.occlusion(model, x, { window: 2, stride: 1, batchSize: 2, target: 1, ...o })],
    ["scoreCam", (o) => dv.scoreCam(model, x, { layer: "conv1", batchSize: 1, target: 1, ...o })],
    ["activationMaximization", (o) => dv.activationMaximization(model, { target: 1, steps: 60, ...o })],
    ["sanityCheck", (o) => dv.sanityCheck(model, x, { ...o })],
  ];
}

function dispose(result: unknown): void {
  if (result && typeof (result as { dispose?: unknown }).dispose === "function") (result as { dispose(): void }).dispose();
}

describe("long work: progress in order, abort at the next chunk, nothing left behind", function () {
  this.timeout(120000);
  const model = smallCnn(2);
  const x = tf.tidy(() => tf.randomUniform([8, 8, 3], 0, 1, "float32", 4));
  before(() => dv.backend());

  for (const [name, run] of longRuns(model, x)) {
    it(`${name}: progress counts up to its total, in order`, async () => {
      const seen: dv.Progress[] = [];
      dispose(await run({ onProgress: (p) => seen.push({ ...p }) }));
      assert.ok(seen.length >= 3, `${seen.length} reports`);
      assert.ok(seen.every((p) => p.task === name && p.total === seen[0].total));
      for (let i = 1; i < seen.length; i++)
        assert.ok(seen[i].done > seen[i - 1].done, `report ${i}: ${seen[i].done} after ${seen[i - 1].done}`);
      assert.equal(seen[seen.length - 1].done, seen[0].total);
      assert.ok(seen.every((p) => p.etaMs! >= 0 && p.elapsedMs >= 0));
    });

    it(`${name}: aborting a third of the way in rejects with an AbortError and leaks nothing`, async () => {
      const before = tf.memory().numTensors;
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      const controller = new AbortController();
      const seen: number[] = [];
      let total = 0;
      let error: unknown;
      try {
        await run({
          signal: controller.signal,
          onProgress: (p) => {
            seen.push(p.done);
            total = p.total;
            if (p.done >= p.total / 3) controller.abort();
          },
        });
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof dv.AbortError, `expected an AbortError, got ${error}`);
      assert.match((error as Error).message, new RegExp(`^${name} was aborted after \\d+ of \\d+ \\w+`));
      // the work stopped right after the report that aborted it: no chunk ran past it
      assert.ok(
        seen.slice(0, -1).every((d) => d < total / 3),
        `reports ${seen}`,
      );
      assert.ok(seen[seen.length - 1] >= total / 3 && seen[seen.length - 1] < total);
      assert.equal(tf.memory().numTensors, before);
      // the sanity check put the trained weights back
      model.getWeights().forEach((w, i) => assert.deepEqual(Array.from(w.dataSync()), weights[i]));
    });
  }

  it("a signal aborted before the start rejects at once, leaking nothing", async () => {
    const before = tf.memory().numTensors;
    await assert.rejects(dv.integratedGradients(model, x, { steps: 50, signal: AbortSignal.abort() }), dv.AbortError);
    assert.equal(tf.memory().numTensors, before);
  });

  it("the event loop runs while a method computes: a timer aborts it mid-run", async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    setTimeout(() => controller.abort(), 150);
    const started = Date.now();
    let done = 0;
    try {
      await assert.rejects(
        dv.integratedGradients(model, x, {
          steps: 100000,
          method: "riemann_middle",
          signal: controller.signal,
          onProgress: (p) => (done = p.done),
        }),
        dv.AbortError,
      );
    } finally {
      clearInterval(timer);
    }
    assert.ok(Date.now() - started < 3000, `stopped after ${Date.now() - started} ms`);
    // chunks are sized to take about 100 ms, and the event loop gets a turn after each
    assert.ok(ticks >= 1, `the interval ran ${ticks} times during the method`);
    assert.ok(done > 0 && done < 100000);
    assert.equal(tf.memory().numTensors, before);
  });

  it("a DeepViz kernel's cell signal stops a method that was given none", async () => {
    const key = Symbol.for("deepviz.kernel.cellSignal");
    const controller = new AbortController();
    (globalThis as Record<symbol, unknown>)[key] = { current: () => controller.signal };
    try {
      const before = tf.memory().numTensors;
      const p = dv.smoothGrad(model, x, {
        samples: 5000,
        batchSize: 2,
        method: dv.integratedGradients,
        methodOptions: { steps: 4 },
      });
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(p, /smoothGrad was aborted|integratedGradients was aborted/);
      assert.equal(tf.memory().numTensors, before);
    } finally {
      delete (globalThis as Record<symbol, unknown>)[key];
    }
  });

  it("embeddings stop early on abort and keep the layout so far", async () => {
    const points = tf.tidy(() => tf.randomNormal([60, 5], 0, 1, "float32", 1));
    const controller = new AbortController();
    const e = await dv.embed(points, {
      perplexity: 10,
      iterations: 1000,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === "optimize" && p.iteration === 100) controller.abort();
      },
    });
    assert.equal(e.info.stoppedEarly, true);
    assert.equal(e.info.iterations, 100);
    points.dispose();
  });
});
