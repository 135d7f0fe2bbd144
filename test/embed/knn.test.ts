import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { mnistArrays } from "../../src/data/mnist";
import { exactNeighbours, nearestNeighbours } from "../../src/embed/knn";
import { Points } from "../../src/embed/points";

describe("embed: nearest neighbours", () => {
  it("finds MNIST digits' 91 nearest neighbours as brute force does (recall ≥ 0.99, exact distances), leaking no tensor", () => {
    const { pixels } = mnistArrays({ n: 1200 });
    const x: Points = { data: Float64Array.from(pixels), n: 1200, d: 784 };
    const before = tf.memory().numTensors;
    const fast = nearestNeighbours(x, 91);
    assert.equal(tf.memory().numTensors, before);
    const exact = exactNeighbours(x, 91);
    let found = 0;
    for (let i = 0; i < x.n; i++) {
      const truth = new Set(exact.index.subarray(i * 91, (i + 1) * 91));
      for (let t = 0; t < 91; t++) {
        const j = fast.index[i * 91 + t];
        assert.notEqual(j, i);
        if (truth.has(j)) found++;
        let d2 = 0;
        for (let f = 0; f < x.d; f++) d2 += (x.data[i * x.d + f] - x.data[j * x.d + f]) ** 2;
        assert.ok(Math.abs(fast.dist2[i * 91 + t] - d2) <= 1e-9 * d2, `distance ${i}→${j}`);
        if (t > 0) assert.ok(fast.dist2[i * 91 + t] >= fast.dist2[i * 91 + t - 1], "rows ascend");
      }
    }
    const recall = found / (x.n * 91);
    assert.ok(recall >= 0.99, `recall ${recall}`);
  });

  it("keeps exact duplicates as neighbours at distance 0, and copes with k = n − 1", () => {
    const data = Float64Array.from([0, 0, 1, 0, 0, 0, 5, 5, 1, 0.5]);
    const x: Points = { data, n: 5, d: 2 };
    const nb = nearestNeighbours(x, 4);
    assert.deepEqual(Array.from(nb.index.subarray(0, 4)), [2, 1, 4, 3]); // point 2 duplicates point 0
    assert.deepEqual(Array.from(nb.dist2.subarray(0, 4)), [0, 1, 0.25 + 1, 50]);
    assert.deepEqual(Array.from(nb.index), Array.from(exactNeighbours(x, 4).index));
  });
});
