import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { smallCnn } from "../helpers/models";

/** 4×4×1 image → Flatten → Dense(2): class 0 weights a checkerboard of ±1, class 1 its negative. */
function checkerModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: [4, 4, 1] }));
  m.add(tf.layers.dense({ units: 2, activation: "softmax" }));
  const w = Array.from({ length: 16 }, (_, i) => ((Math.floor(i / 4) + i) % 2 === 0 ? 1 : -1));
  m.layers[1].setWeights([
    tf.tensor2d(
      w.flatMap((v) => [v, -v]),
      [16, 2],
    ),
    tf.zeros([2]),
  ]);
  return m;
}

describe("activationMaximization", () => {
  before(async () => {
    await dv.backend();
  });

  it("drives a linear class score's image to the clip bounds: 1 where the weight is +1, 0 where −1", async () => {
    // The logit's gradient is the constant weight pattern w (|w| = 1, so unit RMS); each step adds 0.05·w
    // and pulls 1 % towards 0.5. The fixed point 0.5 + 5·w lies outside [0, 1], so every pixel clips.
    const model = checkerModel();
    const before = tf.memory().numTensors;
    const a = await dv.activationMaximization(model, { target: 0, steps: 40, jitter: 0, blurEvery: 0 });
    assert.equal(tf.memory().numTensors, before + 2);
    const img = Array.from(await a.values.data());
    const expected = Array.from({ length: 16 }, (_, i) => ((Math.floor(i / 4) + i) % 2 === 0 ? 1 : 0));
    assert.deepEqual(img, expected);
    const scores = a.info.scores as number[];
    assert.equal(scores.length, 40);
    assert.ok(scores[39] > scores[0] && Math.abs(scores[39] - 8) < 1e-5, `final logit ${scores[39]} (8 = eight pixels at 1)`);
    a.dispose();
    const b = await dv.activationMaximization(model, { target: 1, steps: 40, jitter: 0, blurEvery: 0 });
    assert.deepEqual(
      Array.from(await b.values.data()),
      expected.map((v) => 1 - v),
    );
    b.dispose();
  });

  it("raises a channel's mean activation with jitter and blur on, and is seeded", async () => {
    const model = smallCnn();
    const run = () => dv.activationMaximization(model, { target: { layer: "conv2", channel: 1 }, steps: 25, seed: 4 });
    const a = await run();
    const b = await run();
    const scores = a.info.scores as number[];
    assert.ok(scores[scores.length - 1] > scores[0] * 1.5 + 1e-3, `score went ${scores[0]} → ${scores[scores.length - 1]}`);
    assert.deepEqual(Array.from(await a.values.data()), Array.from(await b.values.data()));
    assert.equal(a.layer, "conv2");
    const [min, max] = [Math.min(...(await a.values.data())), Math.max(...(await a.values.data()))];
    assert.ok(min >= 0 && max <= 1);
    a.dispose();
    b.dispose();
  });

  it("says what is wrong with a bad target", async () => {
    await assert.rejects(dv.activationMaximization(smallCnn(), { target: 7 }), /out of range: the model has 3 outputs/);
    await assert.rejects(
      dv.activationMaximization(smallCnn(), { target: { layer: "conv1", channel: 9 } }),
      /channel 9 is out of range: layer conv1 has 4 channels/,
    );
    await assert.rejects(dv.activationMaximization(smallCnn(), { target: 0, steps: 0 }), /steps must be a positive integer/);
  });
});
