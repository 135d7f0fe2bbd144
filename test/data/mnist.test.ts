import { strict as assert } from "assert";
import { backend } from "../../src/backend";
import * as dv from "../../src";

describe("data.mnist", () => {
  before(async () => {
    await backend();
  });

  it("splits the package's 10 000 digits into fixed, disjoint train and test sets", () => {
    const train = dv.data.mnistArrays({ split: "train" }), test = dv.data.mnistArrays({ split: "test" });
    assert.equal(train.labels.length + test.labels.length, 10000);
    assert.ok(test.labels.length > 1400 && test.labels.length < 1600);
    // every class in both splits, roughly balanced
    for (const split of [train, test]) {
      const counts = new Array(10).fill(0);
      split.labels.forEach((l) => counts[l]++);
      assert.ok(Math.min(...counts) > 0.06 * split.labels.length, `counts ${counts}`);
    }
    // no test digit appears in train (compare exact pixel strings)
    const key = (p: Float32Array, i: number) => p.subarray(i * 784, (i + 1) * 784).join(",");
    const seen = new Set(Array.from({ length: train.labels.length }, (_, i) => key(train.pixels, i)));
    let shared = 0;
    for (let i = 0; i < test.labels.length; i++) if (seen.has(key(test.pixels, i))) shared++;
    assert.ok(shared <= 2, `${shared} test digits also in train`); // the source has a couple of duplicates at most
  });

  it("gives tensors with labels, deterministic per seed", () => {
    const a = dv.data.mnist({ split: "test", n: 50, seed: 3 }), b = dv.data.mnist({ split: "test", n: 50, seed: 3 });
    assert.deepEqual(a.images.shape, [50, 28, 28, 1]);
    assert.deepEqual(a.labels.shape, [50]);
    assert.deepEqual(Array.from(a.labels.dataSync()), Array.from(b.labels.dataSync()));
    assert.deepEqual(Array.from(a.images.dataSync()), Array.from(b.images.dataSync()));
    const px = a.images.dataSync();
    assert.ok(px.every((v) => v >= 0 && v <= 1) && px.some((v) => v > 0.9));
    assert.deepEqual(a.classNames, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    a.dispose(); b.dispose();
    assert.throws(() => dv.data.mnist({ split: "valid" as never }), dv.DeepVizError);
    assert.throws(() => dv.data.mnist({ n: 100000 }), /n must be/);
  });
});
