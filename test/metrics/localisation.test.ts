import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close } from "../helpers/models";
import { noLeaks, rejects } from "./helpers";

/** A 4×4 map with its single peak (9) at row 1, column 2. */
const PEAKED = [0, 1, 0, 0, 2, 0, 9, 1, 0, 0, 0, 0, 3, 0, 0, 0];
const maskAt = (cells: Array<[number, number]>, h = 4, w = 4) => {
  const m = new Float32Array(h * w);
  for (const [y, x] of cells) m[y * w + x] = 1;
  return tf.tensor2d(m, [h, w]);
};

describe("dv.metrics.pointingGame on hand-built maps", () => {
  const map = tf.tensor2d(PEAKED, [4, 4]);
  it("hit when the peak is on the mask, miss when it is not", () => {
    const hit = dv.metrics.pointingGame(
      map,
      maskAt([
        [1, 2],
        [1, 3],
      ]),
    );
    assert.deepEqual(hit.hits, [true]);
    assert.deepEqual(hit.peaks, [[1, 2]]);
    assert.equal(hit.accuracy, 1);
    const miss = dv.metrics.pointingGame(
      map,
      maskAt([
        [3, 0],
        [3, 1],
      ]),
    ); // 3 is the second-highest value
    assert.deepEqual(miss.hits, [false]);
    assert.equal(miss.accuracy, 0);
  });
  it("tolerance: a mask pixel 2 px below the peak counts within 2 px, not within 1.9", () => {
    assert.deepEqual(dv.metrics.pointingGame(map, maskAt([[3, 2]]), { tolerance: 2 }).hits, [true]);
    assert.deepEqual(dv.metrics.pointingGame(map, maskAt([[3, 2]]), { tolerance: 1.9 }).hits, [false]);
    // diagonal: (3, 3) is √5 ≈ 2.236 px away
    assert.deepEqual(dv.metrics.pointingGame(map, maskAt([[3, 3]]), { tolerance: 2.2 }).hits, [false]);
    assert.deepEqual(dv.metrics.pointingGame(map, maskAt([[3, 3]]), { tolerance: 2.25 }).hits, [true]);
  });
  it("boxes [top, left, bottom, right] with exclusive ends, as arrays or an int32 tensor", () => {
    assert.deepEqual(dv.metrics.pointingGame(map, [0, 2, 2, 4]).hits, [true]);
    assert.deepEqual(dv.metrics.pointingGame(map, [0, 0, 1, 4]).hits, [false]); // row 1 excluded
    assert.deepEqual(dv.metrics.pointingGame(map, tf.tensor1d([1, 2, 2, 3], "int32")).hits, [true]);
  });
  it("channels are summed: the peak of the sum, not of one channel", () => {
    // channel 0 peaks at (0, 0) with 5; the sum peaks at (1, 1): 3 + 3 = 6 > 5 + 0
    const c0 = [5, 0, 0, 3],
      c1 = [0, 0, 0, 3];
    const hwc = tf.tensor3d(
      c0.flatMap((v, i) => [v, c1[i]]),
      [2, 2, 2],
    );
    const r = dv.metrics.pointingGame(hwc, maskAt([[1, 1]], 2, 2));
    assert.deepEqual(r.peaks, [[1, 1]]);
    assert.deepEqual(r.hits, [true]);
  });
  it("over a set: accuracy = hits / examples, with one mask per map", () => {
    const maps = tf.stack([map, tf.reverse(map, 0)]) as tf.Tensor3D; // second peak at (2, 2)
    const masks = tf.stack([maskAt([[1, 2]]), maskAt([[1, 2]])]);
    const r = dv.metrics.pointingGame(maps, masks);
    assert.deepEqual(r.hits, [true, false]);
    assert.equal(r.accuracy, 0.5);
    assert.equal(r.mean, 0.5);
  });
  it("dv.data.shapes' masks and boxes work directly, on single maps and a batch", () => {
    const data = dv.data.shapes({ n: 3, seed: 4, size: 32 });
    const onObject = dv.metrics.pointingGame(data.masks, data.masks); // a map equal to the mask peaks on it
    assert.equal(onObject.accuracy, 1);
    const off = tf.sub(1, data.masks);
    assert.equal(dv.metrics.pointingGame(off, data.masks).accuracy, 0);
    assert.equal(dv.metrics.pointingGame(off, data.boxes).accuracy, 0);
    const first = tf.squeeze(tf.slice(data.masks, 0, 1), [0]);
    assert.deepEqual(dv.metrics.pointingGame(first, first).hits, [true]);
    tf.dispose([off, first]);
    data.dispose();
  });
  it("an Attribution from a method: its batch axis decides", async () => {
    const m = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 1, useBias: false })],
    });
    m.layers[1].setWeights([tf.tensor2d(PEAKED, [16, 1])]);
    const a = await dv.saliency(m, tf.ones([4, 4, 1])); // |gradient| = PEAKED
    assert.deepEqual(dv.metrics.pointingGame(a, maskAt([[1, 2]])).hits, [true]);
    a.dispose();
  });
  it("bad input: a mask of another size, the wrong number of boxes, a negative tolerance; no leaks", async () => {
    const wrong = tf.ones([5, 5]),
      two = tf.ones([2, 4, 4]),
      three = tf.ones([3, 4, 4]),
      twoC = tf.ones([2, 4, 4, 1]);
    await noLeaks([wrong, two, three, twoC], async () => {
      await rejects(
        () => dv.metrics.pointingGame(two, three),
        /mask has shape \[3, 4, 4\] but the maps are 2 × 4×4; give a mask \[4, 4\] or \[2, 4, 4\]/,
      );
      await rejects(
        () => dv.metrics.pointingGame(map, wrong),
        /mask has shape \[5, 5\] but the map is 1 × 4×4; give a mask \[4, 4\]/,
      );
      await rejects(
        () =>
          dv.metrics.pointingGame(twoC, [
            [0, 0, 1, 1],
            [0, 0, 1, 1],
            [0, 0, 1, 1],
          ]),
        /3 boxes for 2 maps/,
      );
      await rejects(() => dv.metrics.pointingGame(map, [0, 0, 1, 1], { tolerance: -1 }), /tolerance/);
      await rejects(
        () => dv.metrics.pointingGame(map, [0, 0, 1] as unknown as dv.metrics.BoxLike),
        /a box is \[top, left, bottom, right\]/,
      );
      dv.metrics.pointingGame(two, [0, 0, 4, 4]);
      dv.metrics.relevanceMass(two, [0, 0, 4, 4]);
    });
  });
});

describe("dv.metrics.relevanceMass and relevanceRankAccuracy on hand-built maps", () => {
  // map [[1, −2], [3, 0]], mask on the top row
  const map = tf.tensor2d([1, -2, 3, 0], [2, 2]);
  const top = tf.tensor2d([1, 1, 0, 0], [2, 2]);
  it("mass: positive relevance on the mask / all positive relevance = 1 / (1 + 3)", () => {
    close(dv.metrics.relevanceMass(map, top).scores, [0.25]);
    close(dv.metrics.relevanceMass(map, [1, 0, 2, 2]).scores, [0.75]); // bottom row as a box
    close(dv.metrics.relevanceMass(tf.neg(tf.abs(map)), top).scores, [0]); // no positive relevance
  });
  it("rank accuracy: of the |mask| = 2 highest pixels (3 at (1,0), 1 at (0,0)), one is on the mask", () => {
    close(dv.metrics.relevanceRankAccuracy(map, top).scores, [0.5]);
    close(dv.metrics.relevanceRankAccuracy(map, tf.tensor2d([1, 0, 1, 0], [2, 2])).scores, [1]);
  });
  it("batched: one score per map, and the mean", () => {
    const maps = tf.stack([map, tf.neg(map)]);
    const r = dv.metrics.relevanceMass(maps, tf.stack([top, top]));
    close(r.scores, [0.25, 1]); // −map: positive 2 at (0, 1), on the mask
    close([r.mean], [0.625]);
  });
  it("rank accuracy batched; both refuse a mask of another size, leaving no tensor", async () => {
    const maps = tf.stack([map, tf.neg(map)]),
      masks = tf.stack([top, top]),
      wrong = tf.ones([3, 3]);
    await noLeaks([maps, masks, wrong], async () => {
      // −map = [[−1, 2], [−3, 0]]: its top 2 are 2 at (0, 1) (on) and 0 at (1, 1) (off)
      close(dv.metrics.relevanceRankAccuracy(maps, masks).scores, [0.5, 0.5]);
      await rejects(() => dv.metrics.relevanceMass(map, wrong), /mask has shape \[3, 3\]/);
      await rejects(() => dv.metrics.relevanceRankAccuracy(maps, wrong), /mask has shape \[3, 3\]/);
      await rejects(
        () => dv.metrics.relevanceMass("map" as unknown as tf.Tensor, top),
        /must be a dv.Attribution or a tf.Tensor/,
      );
    });
  });
});
