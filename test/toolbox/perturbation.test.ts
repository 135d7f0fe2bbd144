import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close, LINEAR_W, linearModel, smallCnn } from "../helpers/models";
import { shapleyByDefinition } from "../helpers/shapley";

function denseModel(inputs: number, outputs: number, seed: number, hidden = 0): tf.LayersModel {
  const init = (s: number) => ({
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + s }),
    biasInitializer: tf.initializers.constant({ value: 0.1 }),
  });
  const layers = hidden
    ? [
        tf.layers.dense({ inputShape: [inputs], units: hidden, activation: "relu", ...init(1) }),
        tf.layers.dense({ units: outputs, ...init(2) }),
      ]
    : [tf.layers.dense({ inputShape: [inputs], units: outputs, ...init(1) })];
  return tf.sequential({ layers });
}

describe("featureAblation, kernelShap, lime, superpixels", () => {
  before(async () => {
    await dv.backend();
  });

  it("KernelSHAP on a linear model recovers w ⊙ (x − b): all coalitions, and sampled ones", async () => {
    const model = linearModel(); // score_c = Σ W[i][c] x_i + b_c
    const x = tf.tensor1d([1, -2, 0.5, 3]);
    const b = tf.tensor1d([0.5, 0.5, -1, 1]);
    const a = await dv.kernelShap(model, x, { baseline: b, target: 2 });
    const expected = [1, -2, 0.5, 3].map((xi, i) => LINEAR_W[i][2] * (xi - [0.5, 0.5, -1, 1][i]));
    close(await a.values.data(), expected, 1e-4);
    assert.deepEqual(a.info.exact, [true]);
    const wide = denseModel(12, 2, 4);
    const xw = tf.randomNormal([12], 0, 1, "float32", 1);
    const w = tf.tidy(() => tf.slice(wide.layers[0].getWeights()[0], [0, 1], [12, 1]).reshape([12]));
    const s = await dv.kernelShap(wide, xw, { samples: 60, target: 1, seed: 2 });
    assert.deepEqual(s.info.exact, [false]);
    close(await s.values.data(), await tf.mul(w, xw).data(), 1e-3, "sampled");
    [a, s].forEach((t) => t.dispose());
    tf.dispose([x, b, xw, w]);
  });

  it("KernelSHAP with every coalition equals the Shapley values by definition on a ReLU net", async () => {
    const model = denseModel(5, 2, 9, 6);
    const x = [0.8, -1.2, 0.4, 2, -0.5];
    const f = (keep: number[]) =>
      tf.tidy(() => dv.forward(model, tf.tensor2d([x.map((v, i) => v * keep[i])])).output.dataSync()[0]);
    const a = await dv.kernelShap(model, tf.tensor1d(x), { target: 0 });
    close(await a.values.data(), shapleyByDefinition(f, 5), 1e-4);
    a.dispose();
  });

  it("feature ablation credits each group's score drop to all its members; [H, W] masks cover every channel", async () => {
    // 4×4×2 image → flatten → dense(1) with weights w_i = i/10
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 2] }), tf.layers.dense({ units: 1 })] });
    const w = Array.from({ length: 32 }, (_, i) => i / 10);
    model.layers[1].setWeights([tf.tensor2d(w, [32, 1]), tf.tensor1d([0.3])]);
    const image = tf.randomUniform([4, 4, 2], 0, 1, "float32", 6);
    const px = Array.from(await image.data());
    const quadrant = (y: number, x: number) => (y < 2 ? 0 : 2) + (x < 2 ? 0 : 1);
    const mask = tf.tensor2d(
      Array.from({ length: 16 }, (_, p) => 10 + quadrant(Math.floor(p / 4), p % 4)),
      [4, 4],
      "int32",
    );
    const a = await dv.featureAblation(model, image, { featureMask: mask, target: 0, baseline: 0.5 });
    const drop = [0, 1, 2, 3].map((q) =>
      px.reduce((s, v, i) => (quadrant(Math.floor(i / 8), Math.floor(i / 2) % 4) === q ? s + w[i] * (v - 0.5) : s), 0),
    );
    const expected = px.map((_, i) => drop[quadrant(Math.floor(i / 8), Math.floor(i / 2) % 4)]);
    close(await a.values.data(), expected, 1e-4);
    assert.deepEqual(a.info.groups, [4]);
    a.dispose();
    tf.dispose([image, mask]);
  });

  it("LIME on a linear model recovers the ranking of w ⊙ (x − b)", async () => {
    const model = denseModel(8, 1, 3);
    const x = tf.randomNormal([8], 0, 1, "float32", 8);
    const contributions = tf.tidy(() => tf.mul(model.layers[0].getWeights()[0].reshape([8]), x).arraySync() as number[]);
    const a = await dv.lime(model, x, { samples: 300, seed: 1 });
    const got = Array.from(await a.values.data());
    const rank = (v: number[]) => v.map((_, i) => i).sort((i, j) => v[j] - v[i]);
    assert.deepEqual(rank(got), rank(contributions));
    close(got, contributions, 1e-3, "coefficients");
    a.dispose();
    x.dispose();
  });

  it("superpixels: SLIC finds four flat colour quadrants and gives connected, numbered segments on a shapes image", async () => {
    const quad = tf.tidy(() => {
      const colours = [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [1, 1, 0],
      ];
      return tf.tensor3d(
        Array.from({ length: 32 * 32 }, (_, p) => colours[(Math.floor(p / 32) < 16 ? 0 : 2) + (p % 32 < 16 ? 0 : 1)]).flat(),
        [32, 32, 3],
      );
    });
    const seg = await dv.superpixels(quad, { segments: 4 });
    const ids = Array.from(await seg.data());
    const ofQuadrant = [0, 1, 2, 3].map(
      (q) => new Set(ids.filter((_, p) => (Math.floor(p / 32) < 16 ? 0 : 2) + (p % 32 < 16 ? 0 : 1) === q)),
    );
    ofQuadrant.forEach((s) => assert.equal(s.size, 1, "one segment per quadrant"));
    assert.equal(new Set(ofQuadrant.map((s) => [...s][0])).size, 4);
    const shapes = dv.data.shapes({ n: 1, seed: 3 });
    const sp = await dv.superpixels(shapes.images.squeeze([0]), { segments: 40 });
    const labels = Array.from(await sp.data());
    const k = new Set(labels).size;
    assert.ok(k >= 20 && k <= 80, `${k} segments for 40 asked`);
    assert.deepEqual(
      [...new Set(labels)].sort((a, b) => a - b),
      Array.from({ length: k }, (_, i) => i),
    );
    [quad, seg, sp, shapes.images, shapes.labels].forEach((t) => t.dispose());
  });

  it("on images out of the box (superpixels): batched = single, progress, abort without leaks", async () => {
    const model = smallCnn();
    const images = tf.randomUniform([2, 8, 8, 3], 0, 1, "float32", 4);
    const before = tf.memory().numTensors;
    const seen: [number, number][] = [];
    // 6 superpixels or fewer: 2^M − 2 ≤ 100 coalitions, so every one is enumerated and the result is exact
    const opts = { samples: 100, superpixels: { segments: 6 }, batchSize: 16 };
    const batched = await dv.kernelShap(model, images, { ...opts, onProgress: (p) => seen.push([p.done, p.total]) });
    assert.equal(tf.memory().numTensors, before + 2);
    assert.deepEqual(batched.info.exact, [true, true]);
    const groups = batched.info.groups as number[];
    assert.deepEqual(
      seen[seen.length - 1],
      [groups.reduce((s, m) => s + 2 ** m, 0), groups.reduce((s, m) => s + 2 ** m, 0)],
      "every coalition, the input and the baseline",
    );
    const single = await dv.kernelShap(model, images.slice(1, 1).squeeze([0]), { ...opts, target: batched.target![1] });
    close(await single.values.data(), await batched.values.slice(1, 1).data(), 1e-4, "kernelShap single vs batched");
    const ablation = await dv.featureAblation(model, images, { superpixels: { segments: 6 } });
    const one = await dv.featureAblation(model, images.slice(1, 1).squeeze([0]), {
      superpixels: { segments: 6 },
      target: ablation.target![1],
    });
    close(await one.values.data(), await ablation.values.slice(1, 1).data(), 1e-5, "ablation single vs batched");
    const limeOut = await dv.lime(model, images, { samples: 30, superpixels: { segments: 6 } });
    assert.deepEqual(limeOut.values.shape, [2, 8, 8, 3]);
    [batched, single, ablation, one, limeOut].forEach((a) => a.dispose());
    const controller = new AbortController();
    const mid = tf.memory().numTensors;
    await assert.rejects(
      dv.lime(model, images, {
        samples: 100,
        batchSize: 10,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done > 20) controller.abort();
        },
      }),
      (e: Error) => e.name === "AbortError" && /lime was aborted/.test(e.message),
    );
    assert.equal(tf.memory().numTensors, mid);
    images.dispose();
  });

  it("says what is wrong with a feature mask", async () => {
    const model = linearModel();
    const x = tf.zeros([4]);
    const [bad, float, flat] = [tf.zeros([3], "int32"), tf.zeros([4]), tf.zeros([4])];
    const before = tf.memory().numTensors;
    await assert.rejects(
      dv.featureAblation(model, x, { featureMask: bad }),
      /featureMask has shape \[3\]; expected one example's shape \[4\]/,
    );
    await assert.rejects(dv.kernelShap(model, x, { featureMask: float }), /featureMask must be int32/);
    await assert.rejects(dv.lime(model, x, { kernelWidth: 0 }), /kernelWidth must be a positive number/);
    await assert.rejects(dv.kernelShap(model, x, { samples: -3 }), /samples must be a positive integer/);
    await assert.rejects(dv.superpixels(flat), /superpixels needs an image/);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, bad, float, flat]);
  });
});
