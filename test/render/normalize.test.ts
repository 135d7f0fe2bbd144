import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import {
  applySign,
  colormap,
  cumulativeSumThreshold,
  normalizeMap,
  normalizeWithRange,
  percentileOf,
  reduceChannels,
  sharedRange,
  resizeMap,
  Map2D,
} from "../../src/render";
import { throwsDeepViz } from "./helpers";

const map = (data: number[], width = data.length): Map2D => ({
  height: data.length / width,
  width,
  data: Float32Array.from(data),
});
const close = (a: ArrayLike<number>, b: number[]) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6, `at ${i}: ${a[i]} vs ${b[i]}`);
};

describe("render/normalize", () => {
  it("outlierPerc follows Captum's cumulative-sum definition, not a pixel percentile", () => {
    // sorted 10,20,30,40: running sums 10,30,60,100
    const v = [40, 10, 30, 20];
    assert.equal(cumulativeSumThreshold(v, 98), 40); // 98 reached only at the last value
    assert.equal(cumulativeSumThreshold(v, 50), 30); // 60 ≥ 50
    assert.equal(cumulativeSumThreshold(v, 25), 20); // 30 ≥ 25
    assert.equal(cumulativeSumThreshold(v, 10), 10);
    // a plain 50th percentile would be 25
    assert.equal(percentileOf(v, 50), 25);
    assert.equal(percentileOf(v, 100), 40);
  });

  it("reduces channels by sum, abs-sum and max-abs", () => {
    const img = { height: 1, width: 2, channels: 3, data: Float32Array.from([1, -2, 3, -1, -1, -1]) };
    close(reduceChannels(img, "sum").data, [2, -3]);
    close(reduceChannels(img, "absSum").data, [6, 3]);
    close(reduceChannels(img, "maxAbs").data, [3, 1]);
  });

  it("keeps the part of the map each sign asks for", () => {
    const v = Float32Array.from([-4, -2, 0, 2, 4, 8]);
    close(applySign(v, "absolute"), [4, 2, 0, 2, 4, 8]);
    close(applySign(v, "positive"), [0, 0, 0, 2, 4, 8]);
    close(applySign(v, "negative"), [4, 2, 0, 0, 0, 0]);
    close(applySign(v, "all"), [-4, -2, 0, 2, 4, 8]);
  });

  it("normalizes each sign with outlierPerc as Captum does", () => {
    const m = map([-4, -2, 0, 2, 4, 8]);
    // |v| sorted 0,2,2,4,4,8 sums to 20; 98 % of it is reached at 8
    close(normalizeMap(m, { sign: "all" }).data, [-0.5, -0.25, 0, 0.25, 0.5, 1]);
    // with 50 % outliers the scale is 4 (running sum 12 ≥ 10) and the rest clips
    close(normalizeMap(m, { sign: "all", outlierPerc: 50 }).data, [-1, -0.5, 0, 0.5, 1, 1]);
    close(normalizeMap(m, { sign: "positive" }).data, [0, 0, 0, 0.25, 0.5, 1]);
    // negative: magnitudes 4,2 sum to 6; 98 % is reached at 4
    const neg = normalizeWithRange(m, { sign: "negative" });
    close(neg.map.data, [1, 0.5, 0, 0, 0, 0]);
    assert.deepEqual([neg.lo, neg.hi], [-0, -4]);
    const abs = normalizeWithRange(m, { sign: "absolute" });
    close(abs.map.data, [0.5, 0.25, 0, 0.25, 0.5, 1]);
    assert.deepEqual([abs.lo, abs.hi], [0, 8]);
  });

  it("normalizes by plain percentile, min–max and a fixed range", () => {
    const m = map([-4, -2, 0, 2, 4, 8]);
    // |v| sorted 0,2,2,4,4,8: the 50th percentile sits halfway between 2 and 4
    close(normalizeMap(m, { normalize: "percentile", percentile: 50 }).data, [1, 2 / 3, 0, 2 / 3, 1, 1]);
    close(normalizeMap(map([1, 3, 5]), { normalize: "minmax" }).data, [0, 0.5, 1]);
    close(normalizeMap(m, { normalize: "minmax", sign: "all" }).data, [-0.5, -0.25, 0, 0.25, 0.5, 1]);
    close(normalizeMap(m, { range: [0, 16] }).data, [0.25, 0.125, 0, 0.125, 0.25, 0.5]);
    close(normalizeMap(m, { sign: "all", range: [-8, 8] }).data, [-0.5, -0.25, 0, 0.25, 0.5, 1]);
    const r = normalizeWithRange(m, { sign: "all", range: [-16, 16] });
    assert.deepEqual([r.lo, r.hi], [-16, 16]);
  });

  it("shares one range across maps so one colour means one value", () => {
    const a = map([0, 2, 8]);
    const b = map([0, 1, 2]);
    const range = sharedRange([a, b], { normalize: "minmax" });
    assert.deepEqual(range, [0, 8]);
    close(normalizeMap(b, { range }).data, [0, 0.125, 0.25]);
    assert.deepEqual(sharedRange([map([-3, 1]), b], { sign: "all", normalize: "minmax" }), [-3, 3]);
  });

  it("keeps an all-zero map at zero instead of dividing by zero", () => {
    for (const normalize of ["outlierPerc", "percentile", "minmax"] as const) {
      const out = normalizeMap(map([0, 0, 0, 0]), { normalize });
      close(out.data, [0, 0, 0, 0]);
    }
  });

  it("maps normalized values through each default colormap to the expected colour", () => {
    const m = map([-4, -2, 0, 2, 4, 8]);
    const all = normalizeMap(m, { sign: "all" }).data; // -0.5 … 1 → positions 0.25 … 1
    const rwg = colormap("redWhiteGreen");
    assert.deepEqual(rwg.rgb((all[0] + 1) / 2), [255, 128, 128]);
    assert.deepEqual(rwg.rgb((all[3] + 1) / 2), [191, 223, 191]); // a quarter of the way from white to green
    const pos = normalizeMap(m, { sign: "positive" }).data;
    assert.deepEqual(colormap("greens").rgb(pos[3]), [0xc7, 0xe9, 0xc0]); // 0.25 = 3rd anchor
    const neg = normalizeMap(m, { sign: "negative" }).data;
    assert.deepEqual(colormap("reds").rgb(neg[1]), [0xfb, 0x6a, 0x4a]); // 0.5 = 5th anchor
  });

  it("upsamples a layer-sized map with half-pixel centres, like tf.image.resizeBilinear", () => {
    const small = map([0, 1, 2, 3], 2);
    const big = resizeMap(small, 4, 4);
    assert.equal(big.data[0], 0);
    assert.ok(Math.abs(big.data[1 * 4 + 1] - 0.75) < 1e-6);
    const ref = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d([0, 1, 2, 3], [2, 2, 1]), [4, 4], false, true).dataSync());
    close(big.data, Array.from(ref));
    const nearest = resizeMap(small, 4, 4, "nearest");
    close(nearest.data, [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]);
  });

  it("rejects bad options with a DeepVizError that says what to use", () => {
    const m = map([1, 2]);
    throwsDeepViz(() => normalizeMap(m, { sign: "both" as never }), /Unknown sign "both"/);
    throwsDeepViz(() => normalizeMap(m, { outlierPerc: 100 }), /outlierPerc must be in \[0, 100\)/);
    throwsDeepViz(() => normalizeMap(m, { normalize: "range" }), /range: \[lo, hi\]/);
    throwsDeepViz(() => normalizeMap(m, { normalize: "zscore" as never }), /Unknown normalization/);
    throwsDeepViz(
      () => reduceChannels({ height: 1, width: 1, channels: 2, data: new Float32Array(2) }, "mean" as never),
      /Unknown channel reduction/,
    );
  });
});
