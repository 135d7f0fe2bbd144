import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { conditionalAffinities, symmetrize } from "../../src/embed/affinities";
import { nearestNeighbours } from "../../src/embed/knn";
import { toPoints } from "../../src/embed/points";
import { EmbedProgress } from "../../src/embed/progress";
import { Random } from "../../src/core/random";
import { SpaceTree } from "../../src/embed/space-tree";
import { tsne } from "../../src/embed/tsne";
import { trustworthiness } from "../../src/embed/trustworthiness";
import { DeepVizError } from "../../src/errors";
import { blobs, nearestLabelAgreement } from "./helpers";

describe("embed: t-SNE", () => {
  it("calibrates each point's Gaussian to entropy log(perplexity) and symmetrizes P to sum 1", () => {
    const x = toPoints(blobs(150, 8, 3, 3).rows, "x");
    const perplexity = 12;
    const nb = nearestNeighbours(x, 3 * perplexity + 1);
    const cond = conditionalAffinities(nb, x.n, perplexity);
    for (let i = 0; i < x.n; i++) {
      let sum = 0;
      let entropy = 0;
      for (let t = 0; t < nb.k; t++) {
        const p = cond[i * nb.k + t];
        sum += p;
        if (p > 0) entropy -= p * Math.log(p);
      }
      assert.ok(Math.abs(sum - 1) < 1e-12);
      assert.ok(Math.abs(entropy - Math.log(perplexity)) < 1e-4, `point ${i}: entropy ${entropy}`);
    }
    const p = symmetrize(nb, cond, x.n);
    let total = 0;
    const at = (i: number, j: number) => {
      for (let e = p.rowStart[i]; e < p.rowStart[i + 1]; e++) if (p.cols[e] === j) return p.vals[e];
      return 0;
    };
    for (let i = 0; i < x.n; i++) {
      for (let e = p.rowStart[i]; e < p.rowStart[i + 1]; e++) {
        total += p.vals[e];
        assert.equal(at(p.cols[e], i), p.vals[e]); // symmetric
      }
    }
    assert.ok(Math.abs(total - 1) < 1e-12);
  });

  it("Barnes–Hut repulsion is exact at theta 0 and close at theta 0.5", () => {
    const rng = new Random(3);
    const n = 300;
    const y = Float64Array.from({ length: 2 * n }, () => rng.normal() * 5);
    y[2] = y[0]; // a coincident pair must be handled
    y[3] = y[1];
    const tree = new SpaceTree(2, n);
    tree.build(y, n);
    for (const i of [0, 1, 17, 250]) {
      let z = 0;
      const f = [0, 0];
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const dx = y[2 * i] - y[2 * j];
        const dy = y[2 * i + 1] - y[2 * j + 1];
        const q = 1 / (1 + dx * dx + dy * dy);
        z += q;
        f[0] += q * q * dx;
        f[1] += q * q * dy;
      }
      const exact = new Float64Array(2);
      assert.ok(Math.abs(tree.repulsion2(y, i, 0, exact) - z) < 1e-9 * z);
      assert.ok(Math.abs(exact[0] - f[0]) < 1e-9 && Math.abs(exact[1] - f[1]) < 1e-9);
      const generic = new Float64Array(2);
      assert.ok(Math.abs(tree.repulsion(y, i, 0, generic) - z) < 1e-9 * z);
      const approx = new Float64Array(2);
      const za = tree.repulsion2(y, i, 0.5 * 0.5, approx); // takes theta squared
      assert.ok(Math.abs(za - z) < 0.02 * z, `Z ${za} vs ${z}`);
    }
  });

  it("keeps well-separated clusters apart (trustworthiness ≥ 0.95) in 2-D and 3-D, the grid as well as the tree", async () => {
    const { rows, labels } = blobs(240, 20, 4, 6);
    const x = toPoints(rows, "x");
    const runs = [
      { dims: 2, repulsion: "auto" },
      { dims: 2, repulsion: "tree" },
      { dims: 3, repulsion: "auto" },
    ] as const;
    const layoutOf = (result: { coords: Float64Array; dims: number }) =>
      Array.from({ length: x.n }, (_, i) => Array.from(result.coords.subarray(i * result.dims, (i + 1) * result.dims)));
    for (const { dims, repulsion } of runs) {
      const result = await tsne(x, { dims, repulsion, perplexity: 20, iterations: 500, seed: 2 });
      const layout = layoutOf(result);
      const t = trustworthiness(rows, layout, 5);
      assert.ok(t >= 0.95, `dims ${dims}, ${repulsion}: T=${t}`);
      assert.equal(nearestLabelAgreement(layout, labels), 1);
      assert.ok(Number.isFinite(result.klDivergence) && result.klDivergence > 0);
    }
    // The grid alone as good as the tree alone (300 iterations: the grid's cost grows with the layout's extent).
    const short = { dims: 2, perplexity: 20, iterations: 300, seed: 2 } as const;
    const grid = layoutOf(await tsne(x, { ...short, repulsion: "grid" }));
    const tree = layoutOf(await tsne(x, { ...short, repulsion: "tree" }));
    const [tGrid, tTree] = [trustworthiness(rows, grid, 5), trustworthiness(rows, tree, 5)];
    assert.ok(Math.abs(tGrid - tTree) <= 0.01, `grid T=${tGrid}, tree T=${tTree}`);
  });

  it("reproduces exactly with the same seed and differs with another (random init)", async () => {
    const x = toPoints(blobs(100, 6, 2, 4).rows, "x");
    const opts = { perplexity: 10, iterations: 120, init: "random" as const };
    const a = await tsne(x, { ...opts, seed: 7 });
    const b = await tsne(x, { ...opts, seed: 7 });
    const c = await tsne(x, { ...opts, seed: 8 });
    assert.deepEqual(Array.from(a.coords), Array.from(b.coords));
    assert.notDeepEqual(Array.from(a.coords), Array.from(c.coords));
  });

  it("reports progress and stops early when its signal aborts", async () => {
    const x = toPoints(blobs(120, 6, 3, 4).rows, "x");
    const seen: EmbedProgress[] = [];
    const controller = new AbortController();
    const result = await tsne(x, {
      perplexity: 10,
      iterations: 1000,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.phase === "optimize" && p.iteration === 100) controller.abort();
      },
    });
    assert.equal(result.stoppedEarly, true);
    assert.equal(result.iterations, 100);
    assert.deepEqual(
      seen.filter((p) => p.phase === "optimize").map((p) => p.iteration),
      [50, 100],
    );
    assert.deepEqual([seen[0].phase, seen[1].phase, seen[seen.length - 1].phase], ["neighbours", "affinities", "done"]);
  });

  it("rejects bad settings with DeepVizError", async () => {
    const x = toPoints(blobs(20, 3, 2, 3).rows, "x");
    await assert.rejects(tsne(x, { perplexity: 20 }), /smaller than the number of points/);
    await assert.rejects(tsne(x, { dims: 4 as 2 }), DeepVizError);
    await assert.rejects(tsne(x, { init: "spectral" as "pca" }), DeepVizError);
    await assert.rejects(tsne(x, { learningRate: -1 }), DeepVizError);
    await assert.rejects(tsne(x, { threads: 0 }), DeepVizError);
    await assert.rejects(tsne(x, { perplexity: 5, repulsion: "fmm" as "grid" }), /"auto", "tree" or "grid"/);
  });

  it("splits the gradient over worker threads with the very same layout as one thread, and lets the process exit", () => {
    // in a child process: a worker left running would keep it from exiting (the timeout would fail the test)
    const script = `
      const { toPoints } = require("./src/embed/points");
      const { tsne } = require("./src/embed/tsne");
      const { blobs } = require("./test/embed/helpers");
      (async () => {
        const x = toPoints(blobs(1200, 10, 4, 4).rows, "x");
        const out = {};
        for (const repulsion of ["tree", "auto"]) {
          const one = await tsne(x, { repulsion, threads: 1, iterations: 60, progress: false });
          const two = await tsne(x, { repulsion, threads: 2, iterations: 60, progress: false });
          let same = one.coords.length === two.coords.length;
          for (let i = 0; i < one.coords.length; i++) if (one.coords[i] !== two.coords[i]) same = false;
          out[repulsion] = { same, kl: [one.klDivergence, two.klDivergence] };
        }
        process.stdout.write(JSON.stringify(out));
      })();`;
    const out = execFileSync(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", script], {
      cwd: path.join(__dirname, "..", ".."),
      encoding: "utf8",
      timeout: 240_000,
    });
    const results = JSON.parse(out) as Record<string, { same: boolean; kl: number[] }>;
    for (const [repulsion, result] of Object.entries(results)) {
      assert.ok(result.same, `${repulsion}: 2 threads moved some point differently from 1 thread`);
      assert.equal(result.kl[0], result.kl[1]);
    }
    assert.deepEqual(Object.keys(results), ["tree", "auto"]);
  });
});
