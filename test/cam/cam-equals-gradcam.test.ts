import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { smallCnn } from "../helpers/models";

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const ma = Array.from(a).reduce((s, v) => s + v, 0) / n;
  const mb = Array.from(b).reduce((s, v) => s + v, 0) / n;
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

/**
 * Selvaraju et al.: for a model ending in GAP + dense, ∂y_c/∂A_k(i,j) = W[k,c]/Z at every position, so the
 * Grad-CAM weights are CAM's W[k,c] divided by Z = h·w, and the maps differ by that positive factor.
 */
describe("on a GAP model, gradCam equals cam up to a positive constant", () => {
  before(async () => {
    await dv.backend();
  });
  const model = smallCnn(); // conv2 (4×4×6) → GAP → Dense(3) softmax
  const batch = tf.randomUniform([3, 8, 8, 3], 0, 1, "float32", 21);

  it("layer-sized and raw: gradCam = cam / 16 for every class, correlation > 0.9999", async () => {
    for (const target of [
      [0, 1, 2],
      [2, 0, 1],
    ]) {
      const g = await dv.gradCam(model, batch, { target, relu: false, upsample: false });
      const c = await dv.cam(model, batch, { target, upsample: false });
      assert.deepEqual(g.values.shape, [3, 4, 4]);
      assert.deepEqual(c.values.shape, [3, 4, 4]);
      const gv = await g.values.data();
      const cv = await c.values.data();
      for (let e = 0; e < 3; e++) {
        const ge = gv.slice(e * 16, (e + 1) * 16),
          ce = cv.slice(e * 16, (e + 1) * 16);
        const r = correlation(ge, ce);
        assert.ok(r > 0.9999, `example ${e}: correlation ${r}`);
        ce.forEach((v, i) => assert.ok(Math.abs(ge[i] - v / 16) < 1e-5, `ratio at ${i}: ${ge[i]} vs ${v}/16`));
      }
      g.dispose();
      c.dispose();
    }
  });
  it("upsampled, with the ReLU on both, still proportional", async () => {
    const g = await dv.gradCam(model, batch, { target: [1, 1, 1] });
    const c = await dv.cam(model, batch, { target: [1, 1, 1], relu: true });
    assert.deepEqual(g.values.shape, [3, 8, 8]);
    const gv = await g.values.data(),
      cv = await c.values.data();
    assert.ok(correlation(gv, cv) > 0.9999, `correlation ${correlation(gv, cv)}`);
    cv.forEach((v, i) => assert.ok(Math.abs(gv[i] - v / 16) < 1e-5));
    g.dispose();
    c.dispose();
  });
});
