import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close, convModel, smallCnn } from "../helpers/models";
import { GAP_IMAGE, GAP_W, tinyGapModel } from "./models";

async function values(p: Promise<dv.Attribution>): Promise<number[]> {
  const a = await p;
  const v = Array.from(await a.values.data());
  a.dispose();
  return v;
}

/*
 * The tiny GAP model on GAP_IMAGE (see models.ts): A0 = [[1, 2], [3, 0]], A1 = [[1, 0], [0, 2]] (A1's
 * pre-activation [[1, −1], [0, 2]]). GAP: a = [6/4, 3/4] = [1.5, 0.75].
 * Logits z_c = Σ_k a_k W[k][c] + b_c with W = [[2, −1], [1, 3]], b = [0.5, 0]:
 *   z0 = 3 + 0.75 + 0.5 = 4.25, z1 = −1.5 + 2.25 = 0.75 → predicted class 0.
 * ∂z_c/∂A_k(i, j) = W[k][c] / 4 at every position (GAP over 2×2).
 */
describe("class activation maps, hand-derived", () => {
  before(async () => {
    await dv.backend();
  });
  const model = tinyGapModel();
  const x = tf.tensor3d(GAP_IMAGE, [4, 4, 1]);

  describe("gradCam", () => {
    it("class 0: weights W[:,0]/4 = [0.5, 0.25] → 0.5·A0 + 0.25·A1, layer-sized", async () => {
      const a = await dv.gradCam(model, x, { upsample: false }); // "predicted" is class 0
      assert.deepEqual(a.target, [0]);
      assert.equal(a.layer, "conv"); // "lastConv" by default
      assert.deepEqual(a.values.shape, [2, 2]);
      close(await a.values.data(), [0.75, 1, 1.5, 0.5]);
      a.dispose();
    });
    it("class 1: −0.25·A0 + 0.75·A1 = [[0.5, −0.5], [−0.75, 1.5]] raw, ReLU by default", async () => {
      close(await values(dv.gradCam(model, x, { target: 1, upsample: false, relu: false })), [0.5, -0.5, -0.75, 1.5]);
      close(await values(dv.gradCam(model, x, { target: 1, upsample: false })), [0.5, 0, 0, 1.5]);
    });
    it("bilinear upsampling 2×2 → 4×4 with half-pixel centres", async () => {
      // Output pixel d samples source (d + 0.5)/2 − 0.5 = [−0.25, 0.25, 0.75, 1.25], clamped at the edges:
      // a row [p, q] becomes [p, 0.75p + 0.25q, 0.25p + 0.75q, q]; the same down the columns.
      // M = [[0.75, 1], [1.5, 0.5]]: rows → [0.75, 0.8125, 0.9375, 1] and [1.5, 1.25, 0.75, 0.5]; then
      // row 1 = 0.75·first + 0.25·second, row 2 = 0.25·first + 0.75·second.
      const a = await dv.gradCam(model, x);
      assert.deepEqual(a.values.shape, [4, 4]);
      close(
        await a.values.data(),
        [0.75, 0.8125, 0.9375, 1, 0.9375, 0.921875, 0.890625, 0.875, 1.3125, 1.140625, 0.796875, 0.625, 1.5, 1.25, 0.75, 0.5],
      );
      assert.equal(a.info.upsample, "bilinear");
      a.dispose();
    });
    it("nearest upsampling repeats each cell as a 2×2 block", async () => {
      close(
        await values(dv.gradCam(model, x, { upsample: "nearest" })),
        [0.75, 0.75, 1, 1, 0.75, 0.75, 1, 1, 1.5, 1.5, 0.5, 0.5, 1.5, 1.5, 0.5, 0.5],
      );
    });
    it("a function target: z0 − z1 gives weights (W[:,0] − W[:,1])/4 = [0.75, −0.5]", async () => {
      // 0.75·A0 − 0.5·A1 = [[0.25, 1.5], [2.25, −1]] → ReLU
      const a = await dv.gradCam(model, x, {
        target: (out) => tf.sub(tf.slice(out, [0, 0], [-1, 1]), tf.slice(out, [0, 1], [-1, 1])),
        upsample: false,
      });
      assert.equal(a.target, null);
      close(await a.values.data(), [0.25, 1.5, 2.25, 0]);
      a.dispose();
    });
    it("on a model without GAP: the 3×3 conv model, whose gradient varies over positions", async () => {
      // convModel(): A = conv output [[5.5, 2.5], [−0.5, 8.5]], ∂score/∂A = VC = [[1, −1], [2, 0.5]],
      // weight = mean(VC) = 2.5/4 = 0.625 → 0.625·A = [[3.4375, 1.5625], [−0.3125, 5.3125]]
      close(
        await values(
          dv.gradCam(convModel(), tf.tensor3d([1, 2, 0, 0, 1, 3, 2, -1, 1], [3, 3, 1]), {
            target: 0,
            upsample: false,
            relu: false,
          }),
        ),
        [3.4375, 1.5625, -0.3125, 5.3125],
      );
    });
    it("a batch: [B, H, W] with one target per example; an all-zero map stays zero (no NaN)", async () => {
      // second image all zero: A0 = 0, A1 = relu(0 − 1) = 0 → every map is 0
      const batch = tf.stack([x, tf.zeros([4, 4, 1])]);
      const a = await dv.gradCam(model, batch, { target: [0, 1], upsample: false });
      assert.deepEqual(a.values.shape, [2, 2, 2]);
      close(await a.values.data(), [0.75, 1, 1.5, 0.5, 0, 0, 0, 0]);
      a.dispose();
      // negative everywhere before the ReLU: TL = 1 everywhere, BR = 0 → class 1 map relu(−A0/4) = 0
      const neg = tf.tensor3d([1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0], [4, 4, 1]);
      // (Score-CAM is covered below: its constant maps give masks of zero)
      for (const method of [dv.gradCam, dv.gradCamPlusPlus, dv.guidedGradCam]) {
        const v = await values(method(model, neg, { target: 1 }));
        assert.ok(
          v.every((e) => e === 0),
          `${method.name}: ${v}`,
        );
      }
    });
    it("several layers: the mean of each layer's upsampled map", async () => {
      const cnn = smallCnn();
      const img = tf.randomUniform([8, 8, 3], 0, 1, "float32", 5);
      const opts = { target: 1, relu: false };
      const both = await values(dv.gradCam(cnn, img, { ...opts, layer: ["conv1", "conv2"] }));
      const one = await values(dv.gradCam(cnn, img, { ...opts, layer: "conv1" }));
      const two = await values(dv.gradCam(cnn, img, { ...opts, layer: "conv2" }));
      close(
        both,
        one.map((v, i) => (v + two[i]) / 2),
        1e-5,
      );
      close(await values(dv.gradCam(cnn, img, { ...opts, layer: ["conv2", "conv2"] })), two, 1e-6); // named twice: once
      assert.ok(
        one.some((v, i) => Math.abs(v - two[i]) > 1e-4),
        "the two layers' maps should differ",
      );
    });
  });

  describe("cam", () => {
    it("Σ_k W[k,c]·A_k: class 0 → 2·A0 + A1, class 1 → −A0 + 3·A1 (no ReLU, as in the paper)", async () => {
      const a = await dv.cam(model, x, { upsample: false, layer: "conv" }); // the pooled layer may be named
      assert.equal(a.layer, "conv");
      close(await a.values.data(), [3, 4, 6, 2]);
      a.dispose();
      close(await values(dv.cam(model, x, { target: 1, upsample: false })), [2, -2, -3, 6]);
      close(await values(dv.cam(model, x, { target: 1, upsample: false, relu: true })), [2, 0, 0, 6]);
    });
    it("a function target weights the classes by ∂score/∂logit: z0 − z1 → 3·A0 − 2·A1", async () => {
      const f = (out: tf.Tensor) => tf.sum(tf.mul(out, tf.tensor2d([[1, -1]])), 1);
      close(await values(dv.cam(model, x, { target: f, upsample: false })), [1, 6, 9, -4]);
    });
    it("the same map through a functional model with Dropout and a separate Softmax layer", async () => {
      const input = tf.input({ shape: [4, 4, 1] });
      let h = tf.layers
        .conv2d({ filters: 2, kernelSize: 2, strides: 2, activation: "relu", name: "features" })
        .apply(input) as tf.SymbolicTensor;
      h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
      h = tf.layers.dropout({ rate: 0.5 }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.dense({ units: 2, name: "head" }).apply(h) as tf.SymbolicTensor;
      const out = tf.layers.softmax().apply(h) as tf.SymbolicTensor;
      const m = tf.model({ inputs: input, outputs: out });
      m.getLayer("features").setWeights(model.getLayer("conv").getWeights());
      m.getLayer("head").setWeights([tf.tensor2d(GAP_W), tf.tensor1d([0.5, 0])]);
      const a = await dv.cam(m, x, { target: 0, upsample: false });
      assert.equal(a.layer, "features");
      close(await a.values.data(), [3, 4, 6, 2]);
      a.dispose();
    });
  });

  describe("gradCamPlusPlus", () => {
    // With g = ∂z_c/∂A constant per channel and S_k = Σ A_k: α_k = g²/(2g² + S_k g³), w_k = 4·α_k·relu(g).
    it("class 0: g = [0.5, 0.25], S = [6, 3] → α = [0.2, 4/11], w = [0.4, 4/11]", async () => {
      // α0 = 0.25/(0.5 + 6·0.125) = 0.2; α1 = 0.0625/(0.125 + 3·0.015625) = 4/11
      const w = [0.4, 4 / 11];
      close(await values(dv.gradCamPlusPlus(model, x, { target: 0, upsample: false })), [
        w[0] + w[1],
        2 * w[0],
        3 * w[0],
        2 * w[1],
      ]);
    });
    it("class 1: g = [−0.25, 0.75] → channel 0 drops out; α1 = 0.5625/(1.125 + 3·0.421875) = 4/17, w1 = 12/17", async () => {
      close(await values(dv.gradCamPlusPlus(model, x, { target: 1, upsample: false })), [12 / 17, 0, 0, 24 / 17]);
    });
    it("on the 3×3 conv model the gradient varies: α_ij = 1/(2 + 16·g_ij) with ΣA = 16", async () => {
      // g = [1, −1, 2, 0.5] → α·relu(g) = [1/18, 0, 2/34, 0.5/10], w = 0.16437908; map = relu(w·A)
      const w = 1 / 18 + 2 / 34 + 0.05;
      close(
        await values(
          dv.gradCamPlusPlus(convModel(), tf.tensor3d([1, 2, 0, 0, 1, 3, 2, -1, 1], [3, 3, 1]), { target: 0, upsample: false }),
        ),
        [5.5 * w, 2.5 * w, 0, 8.5 * w],
      );
    });
  });

  describe("scoreCam (nearest masks, so each mask scales whole 2×2 blocks)", () => {
    // Normalized maps: H0 = (A0 − 0)/3 = [[1/3, 2/3], [1, 0]], H1 = A1/2 = [[0.5, 0], [0, 1]].
    // X∘H0: TL' = [[1/3, 4/3], [3, 0]], BR' = [[2/3, 0], [1, 0]] → A0' sum 14/3, A1' = relu(BR' − 1) = 0
    //   → a' = [7/6, 0] → z0 = 7/3 + 0.5 = 17/6, z1 = −7/6.
    // X∘H1: TL' = [[0.5, 0], [0, 0]], BR' = [[1, 0], [0, 3]] → A0' sum 0.5, A1' sum 2 → a' = [1/8, 1/2]
    //   → z0 = 0.25 + 0.5 + 0.5 = 1.25, z1 = 1.375.
    it('weights "softmax" (default): α = softmax([17/6, 1.25]) for class 0', async () => {
      const a0 = 1 / (1 + Math.exp(1.25 - 17 / 6));
      const a1 = 1 - a0;
      const m = [a0 + a1, 2 * a0, 3 * a0, 2 * a1]; // α0·A0 + α1·A1
      const a = await dv.scoreCam(model, x, { target: 0, upsample: "nearest", batchSize: 1 });
      assert.equal(a.info.weights, "softmax");
      close(await a.values.data(), [
        m[0],
        m[0],
        m[1],
        m[1],
        m[0],
        m[0],
        m[1],
        m[1],
        m[2],
        m[2],
        m[3],
        m[3],
        m[2],
        m[2],
        m[3],
        m[3],
      ]);
      a.dispose();
    });
    it('weights "difference": score increase over the zero input (z(0) = bias = [0.5, 0])', async () => {
      // class 0: α = [17/6 − 0.5, 1.25 − 0.5] = [7/3, 0.75] → [[7/3 + 0.75, 14/3], [7, 1.5]]
      const v = await values(dv.scoreCam(model, x, { target: 0, upsample: "nearest", weights: "difference" }));
      close([v[0], v[2], v[8], v[10]], [7 / 3 + 0.75, 14 / 3, 7, 1.5]);
      // class 1: α = [−7/6, 1.375] → −7/6·A0 + 1.375·A1 = [[0.2083, −2.3333], [−3.5, 2.75]] → ReLU
      const v1 = await values(dv.scoreCam(model, x, { target: 1, upsample: "nearest", weights: "difference" }));
      close([v1[0], v1[2], v1[8], v1[10]], [1.375 - 7 / 6, 0, 0, 2.75]);
    });
    it("a constant activation map masks everything out instead of dividing by zero", async () => {
      // zero image: A0 = A1 = 0 (constant) → both masks 0 → equal scores → α = [0.5, 0.5] → map 0
      const v = await values(dv.scoreCam(model, tf.zeros([4, 4, 1]), { target: 0, upsample: false }));
      assert.deepEqual(v, [0, 0, 0, 0]);
    });
  });

  describe("guidedGradCam", () => {
    it("guided backprop × the bilinear Grad-CAM, per channel", async () => {
      // Guided backprop for class 0: ∂z0/∂A = [0.5, 0.25] > 0 passes where the pre-activation is > 0:
      // TL = [[1, 2], [3, 0]] → 0.5 at the TL pixels (0,0), (0,2), (2,0); BR − 1 = [[1, −1], [0, 2]] →
      // 0.25 at the BR pixels (1,1), (3,3). Times the upsampled map (see the bilinear test above).
      const a = await dv.guidedGradCam(model, x, { target: 0 });
      assert.deepEqual(a.values.shape, [4, 4, 1]);
      const expected = new Array(16).fill(0);
      expected[0] = 0.5 * 0.75;
      expected[2] = 0.5 * 0.9375;
      expected[8] = 0.5 * 1.3125;
      expected[5] = 0.25 * 0.921875;
      expected[15] = 0.25 * 0.5;
      close(await a.values.data(), expected);
      a.dispose();
    });
  });
});
