import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close } from "../helpers/models";
import { f, linearImageModel, W } from "./models";
import { rejects, noLeaks } from "./helpers";

/*
 * x = [1, 2, 3, 4] (pixels of a 2×2 image in reading order), f(x) = 0.5·1 − 1·2 + 1·3 + 0.25·4 + 0.1 = 2.6.
 * The map [3, 1, 4, 2] ranks the pixels 2, 0, 3, 1. With steps 4, one pixel per step:
 *   deletion (to 0):  2.6, 2.6 − 3 = −0.4, −0.4 − 0.5 = −0.9, −0.9 − 1 = −1.9, −1.9 + 2 = 0.1
 *   AUC = ¼·[(2.6 − 0.4) + (−0.4 − 0.9) + (−0.9 − 1.9) + (−1.9 + 0.1)]/2 = ¼·(−3.7/2) = −0.4625
 *   insertion (from 0): 0.1, 3.1, 3.6, 4.6, 2.6; AUC = ¼·(3.2 + 6.7 + 8.2 + 7.2)/2 = 3.1625
 */
describe("dv.metrics.deletion and insertion, by hand on a linear model", () => {
  before(async () => {
    await dv.backend();
  });
  const model = linearImageModel();
  const x = () => tf.tensor3d([1, 2, 3, 4], [2, 2, 1]);
  const map = () => tf.tensor2d([3, 1, 4, 2], [2, 2]);

  it("deletion: the curve and AUC derived above", async () => {
    const r = await dv.metrics.deletion(model, x(), map(), { steps: 4 });
    close(r.curve[0], [2.6, -0.4, -0.9, -1.9, 0.1], 1e-5);
    close(r.fractions, [0, 0.25, 0.5, 0.75, 1]);
    close(r.auc, [-0.4625], 1e-5);
    assert.deepEqual(r.scores, r.auc);
    assert.equal(r.metric, "deletion");
  });
  it("insertion: the curve and AUC derived above", async () => {
    const r = await dv.metrics.insertion(model, x(), map(), { steps: 4 });
    close(r.curve[0], [0.1, 3.1, 3.6, 4.6, 2.6], 1e-5);
    close([r.mean], [3.1625], 1e-5);
  });
  it("two pixels per step, and a baseline of 1: the removed pixels become 1", async () => {
    const r = await dv.metrics.deletion(model, x(), map(), { steps: 2 });
    close(r.curve[0], [2.6, -0.9, 0.1], 1e-5);
    const one = await dv.metrics.deletion(model, x(), map(), { steps: 2, baseline: 1 });
    close(one.curve[0], [2.6, f([1, 2, 1, 4]), f([1, 1, 1, 1])], 1e-5);
    const asTensor = await dv.metrics.deletion(model, x(), map(), { steps: 2, baseline: tf.ones([2, 2, 1]) });
    close(asTensor.curve[0], one.curve[0], 1e-6);
  });
  it("an Attribution shaped like the input works like its tensor (channels summed)", async () => {
    const a = await dv.inputXGradient(model, x()); // w ⊙ x = [0.5, −2, 3, 1]: order 2, 3, 0, 1
    const r = await dv.metrics.deletion(model, x(), a, { steps: 4 });
    close(r.curve[0], [2.6, f([1, 2, 0, 4]), f([1, 2, 0, 0]), f([0, 2, 0, 0]), f([0, 0, 0, 0])], 1e-5);
    a.dispose();
  });
  it("a classifier records the class probability: softmax of (f, −f)", async () => {
    const soft = linearImageModel(true);
    const r = await dv.metrics.deletion(soft, x(), map(), { steps: 4, target: 0 });
    const p = (z: number) => 1 / (1 + Math.exp(-2 * z)); // softmax([z, −z])[0]
    close(r.curve[0], [2.6, -0.4, -0.9, -1.9, 0.1].map(p), 1e-5);
    const scores = await dv.metrics.deletion(soft, x(), map(), { steps: 4, target: 0, output: "score" });
    close(scores.curve[0], [2.6, -0.4, -0.9, -1.9, 0.1], 1e-5);
  });
  it("a batch gives each example its own curve, equal to scoring it alone", async () => {
    const xs = tf.tensor4d([1, 2, 3, 4, 4, 3, 2, 1], [2, 2, 2, 1]);
    const maps = tf.tensor3d([3, 1, 4, 2, 1, 2, 3, 4], [2, 2, 2]);
    const r = await dv.metrics.insertion(model, xs, maps, { steps: 4, batchSize: 2 });
    assert.equal(r.curve.length, 2);
    close(r.curve[0], [0.1, 3.1, 3.6, 4.6, 2.6], 1e-5);
    // second: ranks pixels 3, 2, 1, 0 of [4, 3, 2, 1]
    close(r.curve[1], [0.1, f([0, 0, 0, 1]), f([0, 0, 2, 1]), f([0, 3, 2, 1]), f([4, 3, 2, 1])], 1e-5);
    close([r.mean], [(r.auc[0] + r.auc[1]) / 2]);
  });
  it("progress after every chunk; an aborted signal stops it with no tensor left", async () => {
    const seen: number[] = [];
    await dv.metrics.deletion(model, x(), map(), { steps: 4, batchSize: 2, onProgress: (p) => seen.push(p.done) });
    assert.deepEqual(seen, [1, 2, 3]); // 5 points in chunks of 2
    const controller = new AbortController();
    const input = x(),
      m = map();
    const before = tf.memory().numTensors;
    await assert.rejects(
      dv.metrics.deletion(model, input, m, {
        steps: 4,
        batchSize: 1,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done === 2) controller.abort();
        },
      }),
      (e: Error) => e.name === "AbortError" && /deletion was aborted after 2 of 5/.test(e.message),
    );
    assert.equal(tf.memory().numTensors, before);
  });
  it("no leaked tensors, single and batched", async () => {
    const [a, b, c, d] = [tf.ones([3, 2, 2, 1]), tf.ones([3, 2, 2]), tf.ones([2, 2, 1]), tf.ones([2, 2, 1])];
    await noLeaks([a, b], () => dv.metrics.deletion(model, a, b, { steps: 2 }));
    await noLeaks([c, d], () => dv.metrics.insertion(model, c, d, { steps: 4 }));
  });
  it("bad input: steps ≤ 0 or above the pixel count, a map of the wrong shape, a bad baseline", async () => {
    const input = x(),
      m = map(),
      wrong = tf.ones([3, 3]),
      base = tf.ones([3]),
      small = tf.ones([3, 3, 1]);
    await noLeaks([input, m, wrong, base, small], async () => {
      await rejects(dv.metrics.deletion(model, input, m, { steps: 0 }), /steps must be a positive integer; got 0/);
      await rejects(dv.metrics.deletion(model, input, m, { steps: 5 }), /more than the 4 pixels/);
      await rejects(
        dv.metrics.deletion(model, input, wrong, {}),
        /attribution has shape \[3, 3\].*expected \[1, 2, 2, 1\] or \[1, 2, 2\]/,
      );
      await rejects(dv.metrics.insertion(model, input, m, { steps: 2, baseline: base }), /baseline has shape \[3\]/);
      await rejects(dv.metrics.deletion({}, input, m), /must be a tf.LayersModel/);
      await rejects(dv.metrics.deletion(model, small, m), /axis 0 should be 2/);
    });
  });
  it("W, the map that ranks pixels by their true effect, deletes faster than its opposite", async () => {
    const input = tf.ones([2, 2, 1]);
    const good = await dv.metrics.deletion(model, input, tf.tensor2d(W, [2, 2]), { steps: 4 });
    const bad = await dv.metrics.deletion(
      model,
      input,
      tf.tensor2d(
        W.map((w) => -w),
        [2, 2],
      ),
      { steps: 4 },
    );
    assert.ok(good.mean < bad.mean, `${good.mean} vs ${bad.mean}`);
  });
});
