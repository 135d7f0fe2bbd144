import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { smallCnn } from "../helpers/models";

describe("similarity measures", () => {
  it("Spearman: 1 for the same order, −1 reversed, 0.8 for one swapped pair of four (1 − 6·2/(4·15))", () => {
    assert.equal(dv.spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
    assert.equal(dv.spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
    assert.ok(Math.abs(dv.spearman([1, 2, 3, 4], [1, 3, 2, 4]) - 0.8) < 1e-12);
    // ties share the mean rank: [1, 1, 2] → ranks [1.5, 1.5, 3]; against [1, 2, 3] Pearson = √3/2
    assert.ok(Math.abs(dv.spearman([1, 1, 2], [1, 2, 3]) - Math.sqrt(3) / 2) < 1e-12);
  });
  it("SSIM is 1 for identical maps and negative for an inverted one", () => {
    const a = Array.from({ length: 100 }, (_, i) => Math.sin(i / 7) + (i % 10) / 10);
    assert.ok(Math.abs(dv.ssim(a, a, 10, 10) - 1) < 1e-9);
    assert.ok(
      dv.ssim(
        a,
        a.map((v) => -v),
        10,
        10,
      ) < 0,
    );
  });
});

describe("sanityCheck (model-parameter randomization)", () => {
  const model = smallCnn(3);
  const img = tf.randomUniform([8, 8, 3], 0, 1, "float32", 5);
  before(async () => {
    await dv.backend();
  });

  it("saliency changes as layers are randomized, and the model is restored", async () => {
    const before = (model.predict(img.expandDims(0)) as tf.Tensor).dataSync().slice();
    const n = tf.memory().numTensors;
    const r = await dv.sanityCheck(model, img, { seed: 1 });
    assert.equal(tf.memory().numTensors, n);
    assert.deepEqual(r.layers, ["probs", "conv2", "conv1"]);
    // once every layer is random, the map has little to do with the trained model's map
    assert.ok(r.spearmanAbs[2] < 0.6, `rank correlation after full randomization: ${r.spearmanAbs}`);
    const after = (model.predict(img.expandDims(0)) as tf.Tensor).dataSync();
    assert.deepEqual(Array.from(after), Array.from(before));
    assert.match(r.toString(), /Sanity check of saliency \(cascading randomization\)/);
  });

  it("a 'method' that ignores the model passes through unchanged: the check exposes it", async () => {
    // an edge-detector-like explanation computed from the input alone
    const inputOnly: dv.AttributionMethod = async (_m, x) =>
      new dv.Attribution(
        tf.tidy(() => tf.abs(tf.sub(x, tf.mean(x)))),
        "inputOnly",
        x.clone(),
        null,
        false,
      );
    const r = await dv.sanityCheck(model, img, { method: inputOnly, mode: "independent" });
    r.spearmanAbs.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-9));
    r.ssim.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-9));
  });

  it("bad mode is a DeepVizError", async () => {
    await assert.rejects(
      dv.sanityCheck(model, img, { mode: "random" as "cascading" }),
      /mode must be "cascading" or "independent"/,
    );
  });
});
