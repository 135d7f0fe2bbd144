import { strict as assert } from "assert";
import { DeepVizError } from "../../src/errors";
import { trustworthiness } from "../../src/embed/trustworthiness";
import { Random } from "../../src/core/random";
import { blobs } from "./helpers";

describe("embed: trustworthiness", () => {
  it("matches the definition on a hand-worked 1-D example", () => {
    // Points on a line at 0, 1, 3, 6, 10, 15; the layout swaps the two ends (points 0 and 5).
    const high = [[0], [1], [3], [6], [10], [15]];
    const low = [[15], [1], [3], [6], [10], [0]];
    // k = 1. Layout neighbours that are not true neighbours: 0→4 (true rank 4), 5→1 (rank 4), 1→5 (rank 5).
    // Penalty (4−1)+(4−1)+(5−1) = 10; T = 1 − 2/(n k (2n − 3k − 1)) · 10 = 1 − 10/24.
    assert.ok(Math.abs(trustworthiness(high, low, 1) - (1 - 10 / 24)) < 1e-12);
  });

  it("is 1 for a layout that keeps every distance, and near 0.5 for a random one", () => {
    const { rows } = blobs(60, 5, 3, 4);
    assert.equal(trustworthiness(rows, rows, 5), 1);
    // A random layout keeps no neighbourhoods: T falls to about 0.5 (its expectation for chance).
    const rng = new Random(5);
    const random = rows.map(() => [rng.uniform(), rng.uniform()]);
    const t = trustworthiness(rows, random, 5);
    assert.ok(t > 0.3 && t < 0.65, `T=${t}`);
  });

  it("estimates T from a sample of points: all n points give the exact value, a sample comes close", () => {
    const { rows } = blobs(400, 6, 4, 3);
    const rng = new Random(2);
    const layout = rows.map((r) => [r[0] + 0.5 * rng.normal(), r[1] + 0.5 * rng.normal()]);
    const exact = trustworthiness(rows, layout, 5);
    assert.ok(exact > 0.6 && exact < 0.97, `T=${exact}`); // a layout that keeps some neighbourhoods, not all
    assert.equal(trustworthiness(rows, layout, 5, { sample: 400, seed: 3 }), exact);
    const sampled = trustworthiness(rows, layout, 5, { sample: 150, seed: 3 });
    assert.notEqual(sampled, exact);
    assert.ok(Math.abs(sampled - exact) < 0.02, `sampled ${sampled} vs exact ${exact}`);
    assert.throws(() => trustworthiness(rows, layout, 5, { sample: 0 }), DeepVizError);
  });

  it("rejects mismatched point counts and a k of n/2 or more", () => {
    assert.throws(() => trustworthiness([[0], [1], [2], [3]], [[0], [1], [2]], 1), DeepVizError);
    assert.throws(() => trustworthiness([[0], [1], [2], [3]], [[0], [1], [2], [3]], 2), /below n\/2/);
    assert.throws(() => trustworthiness([[0], [1], [NaN], [3]], [[0], [1], [2], [3]], 1), /finite/);
  });
});
