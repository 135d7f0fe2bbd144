import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close, convModel } from "../helpers/models";
import { reluCnn } from "./models";

async function values(p: Promise<dv.Attribution>): Promise<number[]> {
  const a = await p;
  const v = Array.from(await a.values.data());
  a.dispose();
  return v;
}

describe("guided backprop and deconvnet", () => {
  before(async () => {
    await dv.backend();
  });

  describe("hand-derived on the 3×3 conv model with a fused ReLU", () => {
    // convModel("relu"): conv outputs z = [5.5, 2.5, −0.5, 8.5] (positions (0,0), (0,1), (1,0), (1,1));
    // ∂score/∂relu(z) = VC = [1, −1, 2, 0.5]. Each ReLU rule gives the gradient g at the conv output:
    //   true gradient  g·(z > 0)          = [1, −1, 0, 0.5]
    //   guided         g·(z > 0)·(g > 0)  = [1,  0, 0, 0.5]
    //   deconvnet      relu(g)            = [1,  0, 2, 0.5]
    // and the input gradient is Σ_p g_p K[i − p], K = [[1, 2], [−1, 0.5]] placed at each position p.
    const img = tf.tensor3d([1, 2, 0, 0, 1, 3, 2, -1, 1], [3, 3, 1]);
    it("guided backprop: K at (0,0) plus 0.5·K at (1,1)", async () => {
      const a = await dv.guidedBackprop(convModel("relu"), img, { target: 0 });
      assert.equal(a.method, "guidedBackprop");
      assert.deepEqual(a.values.shape, [3, 3, 1]);
      close(await a.values.data(), [1, 2, 0, -1, 0.5 + 0.5, 1, 0, -0.5, 0.25]);
      a.dispose();
    });
    it("deconvnet: adds 2·K at (1,0), the inactive position with a positive gradient", async () => {
      close(await values(dv.deconvnet(convModel("relu"), img, { target: 0 })), [1, 2, 0, -1 + 2, 1 + 4, 1, -2, -0.5 + 1, 0.25]);
    });
    it("all three rules differ here, so the modified backward pass is really used", async () => {
      const plain = await values(dv.saliency(convModel("relu"), img, { target: 0, abs: false }));
      close(plain, [1, 1, -2, -1, 2, 0.5, 0, -0.5, 0.25]); // g = [1, −1, 0, 0.5]
    });
    it("a batch with per-example targets and a function target", async () => {
      const batch = tf.stack([img, tf.neg(img)]);
      // second image: z = −[5.5, 2.5, −0.5, 8.5] → only (1,0) is active (0.5); guided g = [0, 0, 2, 0] → 2·K at (1,0)
      const a = await dv.guidedBackprop(convModel("relu"), batch, { target: [0, 0] });
      assert.deepEqual(a.values.shape, [2, 3, 3, 1]);
      close(await a.values.data(), [1, 2, 0, -1, 1, 1, 0, -0.5, 0.25, 0, 0, 0, 2, 4, 0, -2, 1, 0]);
      a.dispose();
      // target −score: g = −VC = [−1, 1, −2, −0.5]; guided keeps (0,1) only (active, positive): 1·K at (0,1)
      const f = (out: tf.Tensor) => tf.neg(tf.reshape(out, [-1]));
      close(await values(dv.guidedBackprop(convModel("relu"), img, { target: f })), [0, 1, 2, 0, -1, 0.5, 0, 0, 0]);
    });
  });

  describe("fused ReLUs and separate ReLU layers give identical results", () => {
    const x = tf.randomUniform([2, 6, 6, 2], -1, 1, "float32", 11);
    for (const method of ["guidedBackprop", "deconvnet"] as const) {
      it(`${method}: activation "relu" in Conv2D/Dense = ReLU layers = Activation layers`, async () => {
        const fused = await values(dv[method](reluCnn("fused"), x, { target: [0, 2] }));
        const reluLayers = await values(dv[method](reluCnn("relu-layers"), x, { target: [0, 2] }));
        const activationLayers = await values(dv[method](reluCnn("activation-layers"), x, { target: [0, 2] }));
        close(reluLayers, fused, 1e-5, "ReLU layers");
        close(activationLayers, fused, 1e-5, "Activation layers");
        // and the rule matters on this model: the plain gradient is different
        const plain = await values(dv.saliency(reluCnn("fused"), x, { target: [0, 2], abs: false }));
        assert.ok(
          plain.some((v, i) => Math.abs(v - fused[i]) > 1e-3),
          `${method} equals the plain gradient`,
        );
        assert.ok(
          fused.some((v) => v !== 0),
          `${method} is all zero`,
        );
      });
    }
  });
});
