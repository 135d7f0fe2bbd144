import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close } from "../helpers/models";
import { linearImageModel, W } from "./models";
import { noLeaks, rejects } from "./helpers";

describe("dv.metrics.infidelity and maxSensitivity on a linear model", () => {
  before(async () => {
    await dv.backend();
  });
  const model = linearImageModel();
  const x = tf.tensor3d([1, 2, 3, 4], [2, 2, 1]);
  const w = tf.tensor3d(W, [2, 2, 1]);
  const normW2 = W.reduce((a, v) => a + v * v, 0);

  it("infidelity of Φ = W is 0: Iᵀ W is exactly f(x) − f(x − I)", async () => {
    const r = await dv.metrics.infidelity(model, x, w, { samples: 50 });
    assert.ok(r.scores[0] < 1e-9, `${r.scores[0]}`);
  });
  it("Φ = 2W: E[(Iᵀ W)²] = σ²‖W‖² (within sampling error), and 0 once normalized by the best β", async () => {
    const twice = tf.mul(w, 2);
    const r = await dv.metrics.infidelity(model, x, twice, { samples: 4000, stdev: 0.1, seed: 3 });
    const expected = 0.01 * normW2;
    assert.ok(Math.abs(r.scores[0] - expected) < 0.1 * expected, `${r.scores[0]} vs ${expected}`);
    const n = await dv.metrics.infidelity(model, x, twice, { samples: 50, normalize: true });
    assert.ok(n.scores[0] < 1e-9);
    twice.dispose();
  });
  it("batched: one score per example; an attribution of the wrong shape is refused; no leaks", async () => {
    const xs = tf.stack([x, tf.mul(x, 2)]),
      ws = tf.stack([w, tf.zerosLike(w)]),
      map = tf.ones([2, 2]);
    await noLeaks([xs, ws, map], async () => {
      const r = await dv.metrics.infidelity(model, xs, ws, { samples: 200, seed: 1 });
      assert.equal(r.scores.length, 2);
      assert.ok(r.scores[0] < 1e-9);
      // Φ = 0 for the second: infidelity = E[(Iᵀ W)²] ≈ σ²‖W‖²
      assert.ok(Math.abs(r.scores[1] - 0.01 * normW2) < 0.3 * 0.01 * normW2);
      await rejects(dv.metrics.infidelity(model, x, map), /infidelity needs an attribution shaped like the input/);
      await rejects(dv.metrics.infidelity(model, x, w, { samples: 0 }), /samples must be a positive integer/);
    });
  });
  it("max-sensitivity: saliency of a linear model never changes (0); input × gradient moves by W ⊙ δ, at most radius·‖W‖", async () => {
    const s = await dv.metrics.maxSensitivity(model, x, dv.saliency, { samples: 5 });
    close(s.scores, [0], 1e-7);
    const r = await dv.metrics.maxSensitivity(model, x, dv.inputXGradient, { samples: 20, radius: 0.1 });
    assert.ok(r.scores[0] > 0 && r.scores[0] <= 0.1 * Math.sqrt(normW2) + 1e-6, `${r.scores[0]}`);
    // the largest possible move W ⊙ δ with |δ| ≤ r has norm r‖W‖; uniform samples come within 60 % of it
    assert.ok(r.scores[0] > 0.4 * 0.1 * Math.sqrt(normW2));
    const rel = await dv.metrics.maxSensitivity(model, x, dv.inputXGradient, { samples: 20, radius: 0.1, normalize: true });
    const phiNorm = Math.sqrt(W.reduce((a, v, i) => a + (v * (i + 1)) ** 2, 0));
    close(rel.scores, [r.scores[0] / phiNorm], 1e-5);
  });
  it("max-sensitivity batched and without leaks; a non-function method is refused", async () => {
    const xs = tf.stack([x, x]);
    await noLeaks([xs], async () => {
      const r = await dv.metrics.maxSensitivity(model, xs, dv.inputXGradient, { samples: 3, seed: 2 });
      assert.equal(r.scores.length, 2);
      await rejects(
        dv.metrics.maxSensitivity(model, xs, "saliency" as unknown as typeof dv.saliency),
        /third argument is a method/,
      );
    });
  });
});

describe("curves plot and metrics table", () => {
  const model = linearImageModel();
  const x = tf.tensor3d([1, 2, 3, 4], [2, 2, 1]);
  it("one chart with a line per method, AUCs in the legend, and a PNG fallback that shows the lines", async () => {
    const good = await dv.metrics.deletion(model, x, tf.tensor2d([3, 1, 4, 2], [2, 2]), { steps: 4 });
    const bad = await dv.metrics.deletion(model, x, tf.tensor2d([-3, -1, -4, -2], [2, 2]), { steps: 4 });
    const plot = dv.metrics.curvesPlot({ good, bad });
    assert.equal(plot.data.length, 2);
    assert.deepEqual(plot.data[0].y, good.curve[0]);
    assert.match(String(plot.data[0].name), /good \(AUC -0.463\)/);
    const bundle = (plot as unknown as Record<symbol, () => Record<string, unknown>>)[Symbol.for("Jupyter.display")]();
    assert.ok(bundle["application/vnd.plotly.v1+json"]);
    const png = dv.render.decodePng(Buffer.from(String(bundle["image/png"]), "base64"));
    assert.equal(png.width, 640);
    // both line colours appear in the picture
    const colours = new Set<string>();
    for (let i = 0; i < png.data.length; i += 4) colours.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`);
    assert.ok(colours.has("31,119,180") && colours.has("214,39,40"));
    await rejects(() => dv.metrics.curvesPlot({}), /at least one result/);
  });
  it("methods × images, and methods × metrics", async () => {
    const xs = tf.stack([x, tf.reverse(x, 0)]);
    const maps = tf.ones([2, 2, 2]);
    const del = await dv.metrics.deletion(model, xs, maps, { steps: 2 });
    const t = dv.metrics.metricsTable({ ones: del });
    assert.deepEqual(t.columns, ["image 0", "image 1", "mean"]);
    close(t.cells[0], [...del.auc, del.mean]);
    assert.match(t.text(), /ones/);
    const pg = dv.metrics.pointingGame(maps, [0, 0, 1, 1]);
    const t2 = dv.metrics.metricsTable({ a: { deletion: del, pointing: pg }, b: { pointing: pg } });
    assert.deepEqual(t2.columns, ["deletion", "pointing"]);
    close(t2.cells[0], [del.mean, 1]);
    assert.ok(Number.isNaN(t2.cells[1][0]));
    assert.match(t2.html(), /<td style="text-align:right">–<\/td>/);
  });
});
