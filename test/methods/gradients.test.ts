import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close, convModel, linearModel, LINEAR_W, poolModel, reluModel, smallCnn } from "../helpers/models";

const col = (c: number) => LINEAR_W.map((row) => row[c]);
const X = [1, 2, -1, 0.5];

async function values(p: Promise<dv.Attribution>): Promise<number[]> {
  const a = await p;
  const v = Array.from(await a.values.data());
  a.dispose();
  return v;
}

describe("gradient attributions on hand-built models", () => {
  before(async () => {
    await dv.backend();
  });

  describe("linear model (score_c = Σ W[i][c]·x_i + b_c)", () => {
    const model = linearModel();
    const x = tf.tensor1d(X);
    // scores: c0 = 1-2-0.5+0.5 = -1, c1 = -2+6-1+0-1 = 2, c2 = 0.5-2-1+2+2 = 1.5 → predicted class 1

    it("saliency is |W[:, c]| by default and W[:, c] when signed; predicted picks class 1", async () => {
      const a = await dv.saliency(model, x);
      assert.deepEqual(a.target, [1]);
      assert.deepEqual(a.values.shape, [4]);
      close(await a.values.data(), col(1).map(Math.abs));
      a.dispose();
      close(await values(dv.saliency(model, x, { target: 2, abs: false })), col(2));
    });

    it("explains pre-softmax scores when the model ends in softmax", async () => {
      const soft = linearModel("softmax");
      assert.equal(dv.endsInSoftmax(soft), true);
      assert.equal(dv.endsInSoftmax(model), false);
      close(await values(dv.saliency(soft, x, { target: 0, abs: false })), col(0));
    });

    it("gradient × input is W[:, c]·x", async () => {
      close(await values(dv.inputXGradient(model, x, { target: 1 })), [-2, 6, -1, 0]);
    });

    it("integrated gradients equal (x − baseline)·W exactly, for every rule", async () => {
      for (const method of ["gausslegendre", "riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid"] as const) {
        const a = await dv.integratedGradients(model, x, { target: 1, steps: 7, method });
        close(await a.values.data(), [-2, 6, -1, 0], 1e-4, method);
        assert.ok(Math.abs(a.delta![0]) < 1e-4, `${method} delta ${a.delta}`);
        a.dispose();
      }
      // baseline 1: (x − 1)·W[:,1] = [0, 1, −2, −0.5]·[−2, 3, 1, 0]
      close(await values(dv.integratedGradients(model, x, { target: 1, baseline: 1 })), [0, 3, -2, 0]);
      close(await values(dv.integratedGradients(model, x, { target: 1, baseline: tf.tensor1d([1, 1, 1, 1]) })), [0, 3, -2, 0]);
    });

    it("occlusion credits each window's score drop, averaged where windows overlap", async () => {
      // per-element drops with baseline 0: W[:,1]·x = [−2, 6, −1, 0]
      close(await values(dv.occlusion(model, x, { target: 1, window: 1 })), [-2, 6, -1, 0]);
      // windows [0,2) and [2,4): sums 4 and −1
      close(await values(dv.occlusion(model, x, { target: 1, window: 2 })), [4, 4, -1, -1]);
      // stride 1: windows [0,2)=4, [1,3)=5, [2,4)=−1 → [4, (4+5)/2, (5−1)/2, −1]
      close(await values(dv.occlusion(model, x, { target: 1, window: 2, stride: 1 })), [4, 4.5, 2, -1]);
      // window 3 stride 2 on 4 elements: [0,3)=3 and the cut-short [2,4)=−1
      close(await values(dv.occlusion(model, x, { target: 1, window: 3, stride: 2 })), [3, 3, 1, -1]);
      // baseline 1 with window 1: W[:,1]·(x − 1) = [0, 3, −2, 0]
      close(await values(dv.occlusion(model, x, { target: 1, window: 1, baseline: 1 })), [0, 3, -2, 0]);
    });

    it("SmoothGrad of a constant gradient: mean |W|, mean of squares W², variance 0", async () => {
      const opts = { target: 1, samples: 8, stdev: 0.3, seed: 3 };
      close(await values(dv.smoothGrad(model, x, opts)), col(1).map(Math.abs));
      close(
        await values(dv.smoothGrad(model, x, { ...opts, kind: "smoothgrad_sq" })),
        col(1).map((w) => w * w),
      );
      close(await values(dv.smoothGrad(model, x, { ...opts, kind: "vargrad" })), [0, 0, 0, 0], 1e-3);
    });

    it("a function target explains any score of the output", async () => {
      const target = (out: tf.Tensor) => tf.sum(tf.mul(out, tf.tensor2d([[0, 2, -1]])), 1);
      const a = await dv.saliency(model, x, { target, abs: false });
      assert.equal(a.target, null);
      close(
        await a.values.data(),
        col(1).map((w, i) => 2 * w - col(2)[i]),
      );
      a.dispose();
    });

    it("a batch gets one target per example", async () => {
      const batch = tf.tensor2d([X, [0, 1, 1, 0]]);
      const a = await dv.saliency(model, batch, { target: [0, 2], abs: false });
      assert.deepEqual(a.values.shape, [2, 4]);
      close(await a.values.data(), [...col(0), ...col(2)]);
      a.dispose();
      const ig = await dv.integratedGradients(model, batch, { target: [1, 1] });
      close(await ig.values.data(), [-2, 6, -1, 0, 0, 3, 1, 0]);
      assert.equal(ig.delta!.length, 2);
      ig.dispose();
      const occ = await dv.occlusion(model, batch, { target: [1, 0], window: 1 });
      close(await occ.values.data(), [-2, 6, -1, 0, 0, 0, 2, 0]);
      occ.dispose();
      batch.dispose();
    });

    it("gradient of the loss: softmax(z) − onehot at the output layer", async () => {
      const soft = linearModel("softmax");
      const [g] = await dv.layerGradients(soft, x, { target: 1, of: "loss" });
      const z = [-1, 2, 1.5];
      const e = z.map(Math.exp);
      const s = e.reduce((a, b) => a + b);
      close(
        await g.values.data(),
        e.map((v, i) => v / s - (i === 1 ? 1 : 0)),
      );
      g.dispose();
    });
  });

  describe("ReLU model (hidden = relu(x·H), out = hidden·V + 0.25)", () => {
    // x = [1, 0.5]: z = [1 + 1, −1 + 0.5] = [2, −0.5] → only unit 0 is active; out = 3·2 + 0.25 = 6.25
    const x = tf.tensor1d([1, 0.5]);
    for (const separate of [false, true]) {
      const label = separate ? "separate ReLU layer" : "relu fused into Dense";
      it(`saliency = V0·H[:,0] = [3, 6] and IG = x·[3, 6] (${label})`, async () => {
        const model = reluModel(separate);
        close(await values(dv.saliency(model, x, { abs: false })), [3, 6]);
        // along α·x the active set never changes, so IG is exact; Σ = 6 = F(x) − F(0) = 6.25 − 0.25
        const ig = await dv.integratedGradients(model, x);
        close(await ig.values.data(), [3, 3]);
        assert.ok(Math.abs(ig.delta![0]) < 1e-4);
        ig.dispose();
      });
      it(`neuron gradients of the hidden layer (${label})`, async () => {
        const model = reluModel(separate);
        close(await values(dv.neuronGradient(model, x, { layer: "hidden", channel: 0 })), [1, 2]);
        close(await values(dv.neuronGradient(model, x, { layer: "hidden", channel: 1 })), [0, 0]);
        close(await values(dv.neuronGradient(model, x, { layer: "hidden" })), [1, 2]);
      });
      it(`gradients w.r.t. every layer (${label})`, async () => {
        const model = reluModel(separate);
        const grads = await dv.layerGradients(model, x);
        const byName = new Map(grads.map((g) => [g.layer, g]));
        close(await byName.get("hidden")!.values.data(), [3, -2]); // ∂out/∂hidden = V
        close(await byName.get("out")!.values.data(), [1]);
        grads.forEach((g) => g.dispose());
      });
    }
    it("a single-output model's predicted target is index 0", async () => {
      const a = await dv.saliency(reluModel(), x);
      assert.deepEqual(a.target, [0]);
      a.dispose();
    });
  });

  describe("conv model (3×3 image, 2×2 kernel K, dense weights V per position)", () => {
    const img = tf.tensor3d([1, 2, 0, 0, 1, 3, 2, -1, 1], [3, 3, 1]);
    it("saliency is Σ_p V_p K[i − p] (derived in the comment)", async () => {
      // G[i][j] = Σ over output positions p covering (i, j) of V_p · K[i − p_r][j − p_c]
      const G = [1, 1, -2, 1, 6, 0.5, -2, 0.5, 0.25];
      close(await values(dv.saliency(convModel(), img, { target: 0, abs: false })), G);
    });
    it("with a fused ReLU the inactive position (1, 0) (pre-activation −0.5) drops out", async () => {
      // conv outputs: 5.5, 2.5, −0.5, 8.5 → remove every V_(1,0)·K term from G
      const G = [1, 1, -2, -1, 2, 0.5, 0, -0.5, 0.25];
      close(await values(dv.saliency(convModel("relu"), img, { target: 0, abs: false })), G);
      // the layer's activation is post-ReLU
      close(await values(dv.layerActivation(convModel("relu"), img, { layer: "conv" })), [5.5, 2.5, 0, 8.5]);
    });
    it("max pooling routes the gradient to each block's maximum", async () => {
      const x = tf.tensor3d([1, 5, 2, 0, 3, 2, 8, 1, 0, 1, 4, 4.5, 7, 2, 3, 1], [4, 4, 1]);
      const expected = new Array(16).fill(0);
      expected[1] = 1;
      expected[6] = 2;
      expected[12] = 3;
      expected[11] = 4;
      close(await values(dv.saliency(poolModel(), x, { abs: false })), expected);
      close(
        await values(dv.neuronGradient(poolModel(), x, { layer: "pool", channel: 0, position: [1, 1] })),
        expected.map((v, i) => (i === 11 ? 1 : 0)),
      );
    });
    it("occlusion with a window covering all channels of an image", async () => {
      // window 3 covers the whole 3×3 image: every element gets F(x) − F(0) = Σ G·x (linear model)
      const G = [1, 1, -2, 1, 6, 0.5, -2, 0.5, 0.25];
      const xs = [1, 2, 0, 0, 1, 3, 2, -1, 1];
      const total = G.reduce((a, g, i) => a + g * xs[i], 0);
      close(await values(dv.occlusion(convModel(), img, { target: 0, window: 3 })), new Array(9).fill(total));
    });
  });

  describe("integrated gradients on a curved model", () => {
    // out = tanh(x·w), w = [1, 2]: attributions must still sum to F(x) − F(0)
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [2], units: 1, activation: "tanh", useBias: false }));
    model.layers[0].setWeights([tf.tensor2d([[1], [2]])]);
    const x = tf.tensor1d([0.6, 0.4]);
    it("delta shrinks as steps grow, and Gauss–Legendre converges fast", async () => {
      const deltas: number[] = [];
      for (const steps of [2, 8, 32]) {
        const a = await dv.integratedGradients(model, x, { steps, method: "riemann_right" });
        deltas.push(Math.abs(a.delta![0]));
        a.dispose();
      }
      assert.ok(deltas[0] > deltas[1] && deltas[1] > deltas[2], `deltas ${deltas}`);
      const gl = await dv.integratedGradients(model, x, { steps: 20, method: "gausslegendre" });
      assert.ok(Math.abs(gl.delta![0]) < 1e-5, `GL delta ${gl.delta}`);
      const sum = Array.from(await gl.values.data()).reduce((a, b) => a + b, 0);
      close([sum], [Math.tanh(1.4)], 1e-5);
      gl.dispose();
    });
    it("batches of steps give the same result as one batch", async () => {
      const one = await dv.integratedGradients(model, x, { steps: 10, batchSize: 10 });
      const many = await dv.integratedGradients(model, x, { steps: 10, batchSize: 3 });
      close(await many.values.data(), await one.values.data(), 1e-6);
      one.dispose();
      many.dispose();
    });
  });

  describe("SmoothGrad on a CNN", () => {
    const model = smallCnn();
    const img = tf.randomUniform([8, 8, 3], 0, 1, "float32", 7) as tf.Tensor3D;
    it("with zero noise equals its base method", async () => {
      const base = await dv.saliency(model, img);
      const smooth = await dv.smoothGrad(model, img, { stdev: 0, samples: 3 });
      close(await smooth.values.data(), await base.values.data(), 1e-5);
      const ixg = await dv.inputXGradient(model, img);
      const smoothIxg = await dv.smoothGrad(model, img, { method: dv.inputXGradient, stdev: 0, samples: 2 });
      close(await smoothIxg.values.data(), await ixg.values.data(), 1e-5);
      [base, smooth, ixg, smoothIxg].forEach((a) => a.dispose());
    });
    it("is reproducible for a seed and changes with it", async () => {
      const a = await dv.smoothGrad(model, img, { samples: 4, seed: 11 });
      const b = await dv.smoothGrad(model, img, { samples: 4, seed: 11 });
      const c = await dv.smoothGrad(model, img, { samples: 4, seed: 12 });
      close(await b.values.data(), await a.values.data(), 1e-7);
      assert.notDeepEqual(Array.from(await c.values.data()), Array.from(await a.values.data()));
      [a, b, c].forEach((t) => t.dispose());
    });
  });
});
