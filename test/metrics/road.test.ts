import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close } from "../helpers/models";
import { f, linearImageModel } from "./models";
import { noLeaks, rejects } from "./helpers";

const NEIGHBOURS: Array<[number, number, number]> = [
  [-1, 0, 1 / 6],
  [1, 0, 1 / 6],
  [0, -1, 1 / 6],
  [0, 1, 1 / 6],
  [-1, -1, 1 / 12],
  [-1, 1, 1 / 12],
  [1, -1, 1 / 12],
  [1, 1, 1 / 12],
];

describe("ROAD's noisy linear imputation equals its definition", () => {
  it("one removed pixel in a 3×3 image: the 1/6–1/12 weighted mean of its 8 neighbours", () => {
    const img = [1, 2, 3, 4, 100, 6, 7, 8, 9];
    const removed = tf.tensor2d([0, 0, 0, 0, 1, 0, 0, 0, 0], [3, 3]);
    const out = dv.metrics.impute(tf.tensor3d(img, [3, 3, 1]), removed, { noise: 0 });
    // sides 2, 4, 6, 8 weigh 1/6, corners 1, 3, 7, 9 weigh 1/12: (20/6 + 20/12) = 5
    close(out.dataSync(), [1, 2, 3, 4, 5, 6, 7, 8, 9], 1e-6);
  });
  it("two removed neighbours in a corner: the 2×2 system solved by Cramer's rule", () => {
    // remove (0,0) = a and (0,1) = b of [[?, ?, c], [d, e, g], [...]]
    const v = [0, 0, 5, 2, 4, 8, 1, 1, 1];
    const [c, d, e, g] = [v[2], v[3], v[4], v[5]];
    // a: neighbours (0,1)=b side, (1,0)=d side, (1,1)=e corner → (5/12)a − (1/6)b = d/6 + e/12
    // b: (0,0)=a side, (0,2)=c side, (1,1)=e side, (1,0)=d corner, (1,2)=g corner → (2/3)b − (1/6)a = (c + e)/6 + (d + g)/12
    const [a11, a12, a21, a22] = [5 / 12, -1 / 6, -1 / 6, 2 / 3];
    const r1 = d / 6 + e / 12,
      r2 = (c + e) / 6 + (d + g) / 12;
    const det = a11 * a22 - a12 * a21;
    const a = (r1 * a22 - a12 * r2) / det,
      b = (a11 * r2 - a21 * r1) / det;
    const out = dv.metrics.impute(tf.tensor3d(v, [3, 3, 1]), tf.tensor2d([1, 1, 0, 0, 0, 0, 0, 0, 0], [3, 3]), { noise: 0 });
    close(out.dataSync(), [a, b, ...v.slice(2)], 1e-6);
  });
  it("a random 9×7×3 image with half its pixels removed: each removed pixel is its neighbours' weighted mean, per channel", () => {
    const [h, w, ch] = [9, 7, 3];
    const img = tf.randomUniform([h, w, ch], 0, 1, "float32", 3);
    const mask = tf.cast(tf.greater(tf.randomUniform([h, w], 0, 1, "float32", 5), 0.5), "float32");
    const out = dv.metrics.impute(img, mask, { noise: 0 }).arraySync();
    const orig = img.arraySync() as number[][][];
    const m = mask.arraySync() as number[][];
    let checked = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < ch; k++) {
          if (!m[y][x]) {
            assert.equal(out[y][x][k], orig[y][x][k]);
            continue;
          }
          let s = 0,
            wsum = 0;
          for (const [dy, dx, wt] of NEIGHBOURS) {
            const yy = y + dy,
              xx = x + dx;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            s += wt * out[yy][xx][k];
            wsum += wt;
          }
          assert.ok(Math.abs(out[y][x][k] - s / wsum) < 1e-5, `pixel (${y}, ${x}, ${k})`);
          checked++;
        }
    assert.ok(checked > 60);
  });
  it("the noise: imputed values move by N(0, 0.01²), kept ones not at all", () => {
    const img = tf.randomUniform([40, 40, 1], 0, 1, "float32", 8);
    const mask = tf.cast(tf.greater(tf.randomUniform([40, 40], 0, 1, "float32", 9), 0.5), "float32");
    const clean = dv.metrics.impute(img, mask, { noise: 0 }).dataSync();
    const noisy = dv.metrics.impute(img, mask, { seed: 2 }).dataSync(); // default noise 0.01
    const m = mask.dataSync();
    const d: number[] = [];
    for (let i = 0; i < m.length; i++) {
      if (m[i]) d.push(noisy[i] - clean[i]);
      else assert.equal(noisy[i], clean[i]);
    }
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
    assert.ok(Math.abs(sd - 0.01) < 0.001, `noise sd ${sd}`);
    assert.ok(Math.abs(mean) < 0.002, `noise mean ${mean}`);
  });
  it("bad input: a mask of another size, every pixel removed", async () => {
    await rejects(() => dv.metrics.impute(tf.ones([3, 3, 1]), tf.ones([2, 3])), /tensor \[3, 3\]/);
    await rejects(() => dv.metrics.impute(tf.ones([3, 3, 1]), tf.ones([3, 3])), /every pixel is removed/);
  });
});

describe("dv.metrics.road", () => {
  before(async () => {
    await dv.backend();
  });
  const model = linearImageModel();
  it("MoRF and LeRF record f of the imputed images, by the definition above", async () => {
    const x = tf.tensor3d([1, 2, 3, 4], [2, 2, 1]);
    const map = tf.tensor2d([3, 1, 4, 2], [2, 2]); // ranks pixels 2, 0, 3, 1
    const r = await dv.metrics.road(model, x, map, { percentiles: [0.25, 0.5], noise: 0 });
    const fill = async (removed: number[]) =>
      Array.from(dv.metrics.impute(x, tf.tensor2d(removed, [2, 2]), { noise: 0 }).dataSync());
    close(r.morf[0], [f(await fill([0, 0, 1, 0])), f(await fill([1, 0, 1, 0]))], 1e-5);
    close(r.lerf[0], [f(await fill([0, 1, 0, 0])), f(await fill([0, 1, 0, 1]))], 1e-5);
    // pixel 2 alone: the mean of 1 (corner 1/12... here 2×2: sides 1 and 4? no: (1,0)'s neighbours are (0,0) side, (1,1) side, (0,1) corner)
    close([f(await fill([0, 0, 1, 0]))], [f([1, 2, (1 / 6 + 4 / 6 + 2 / 12) / (5 / 12), 4])], 1e-5);
    close(r.scores, [(r.lerf[0][0] + r.lerf[0][1]) / 2 - (r.morf[0][0] + r.morf[0][1]) / 2], 1e-6);
  });
  it("batched equals single; no leaks; bad percentiles and non-images rejected", async () => {
    const xs = tf.randomUniform([2, 2, 2, 1], 0, 1, "float32", 1),
      maps = tf.randomUniform([2, 2, 2], 0, 1, "float32", 2);
    const x0 = tf.slice(xs, 0, 1),
      m0 = tf.slice(maps, 0, 1),
      wrong = tf.ones([3, 2, 2]);
    await noLeaks([xs, maps, x0, m0, wrong], async () => {
      const both = await dv.metrics.road(model, xs, maps, { percentiles: [0.5] });
      const one = await dv.metrics.road(model, x0, m0, { percentiles: [0.5] });
      close(one.morf[0], both.morf[0], 1e-6);
      const chunked = await dv.metrics.road(model, xs, maps, { percentiles: [0.25, 0.5, 0.75], batchSize: 2 });
      const whole = await dv.metrics.road(model, xs, maps, { percentiles: [0.25, 0.5, 0.75] });
      close(chunked.lerf.flat(), whole.lerf.flat(), 1e-6);
      await rejects(dv.metrics.road(model, xs, maps, { batchSize: 0 }), /batchSize must be a positive integer/);
      assert.equal(both.scores.length, 2);
      await rejects(dv.metrics.road(model, xs, maps, { percentiles: [0, 0.5] }), /strictly between 0 and 1/);
      await rejects(dv.metrics.road(model, xs, wrong), /attribution has shape \[3, 2, 2\]/);
    });
  });
});
