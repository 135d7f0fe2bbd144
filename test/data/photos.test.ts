import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "fs";
import { join } from "path";
import * as dv from "../../src";

describe("dv.data.photo: the shipped photos", () => {
  before(async () => { await dv.backend(); });

  it("every photo loads as RGB in [0, 1] at its documented size, and is credited in data/photos/README.md", async () => {
    const readme = readFileSync(join(__dirname, "..", "..", "data", "photos", "README.md"), "utf8");
    for (const [name, entry] of Object.entries(dv.data.PHOTOS)) {
      const before = tf.memory().numTensors;
      const p = await dv.data.photo(name as dv.data.PhotoName);
      assert.deepEqual(p.shape, [...entry.size, 3], name);
      const [lo, hi] = tf.tidy(() => [tf.min(p).dataSync()[0], tf.max(p).dataSync()[0]]);
      assert.ok(lo >= 0 && hi <= 1 && hi - lo > 0.5, `${name}: range ${lo}..${hi}`);
      assert.ok(readme.includes(entry.file), `${entry.file} is not in the README`);
      p.dispose();
      assert.equal(tf.memory().numTensors, before);
    }
  });

  it("crops and resizes: the crop equals the slice of the full photo", async () => {
    const full = await dv.data.photo("coffee");
    const crop = await dv.data.photo("coffee", { crop: [10, 20, 30, 40] });
    const slice = tf.slice(full, [10, 20, 0], [30, 40, 3]);
    assert.deepEqual(crop.shape, [30, 40, 3]);
    assert.equal(tf.tidy(() => tf.max(tf.abs(tf.sub(crop, slice))).dataSync()[0]), 0);
    const small = await dv.data.photo("coffee", { crop: [10, 20, 30, 40], size: [15, 20] });
    assert.deepEqual(small.shape, [15, 20, 3]);
    tf.dispose([full, crop, slice, small]);
  });

  it("bad names and crops are DeepVizErrors", async () => {
    await assert.rejects(() => dv.data.photo("lena" as dv.data.PhotoName), /no photo named "lena"; the shipped photos are astronaut, chelsea, coffee, camera/);
    const before = tf.memory().numTensors;
    await assert.rejects(() => dv.data.photo("chelsea", { crop: [0, 0, 400, 10] }), /does not fit the 300×451 photo/);
    assert.equal(tf.memory().numTensors, before);
  });
});
