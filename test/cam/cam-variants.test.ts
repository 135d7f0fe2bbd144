import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close } from "../helpers/models";
import { GAP_IMAGE } from "./models";

/*
 * A tiny conv model whose activations and gradients follow by hand: the conv of tinyGapModel (A0 = the
 * top-left pixel of each 2×2 block, A1 = relu(bottom-right − 1)), then Flatten and a Dense "out" with
 * kernel V, so ∂z_c/∂A_k(i, j) = V[(2i + j)·2 + k][c]: a gradient that differs from position to
 * position (unlike a GAP head), which separates the CAM variants.
 * On GAP_IMAGE: A0 = [[1, 2], [3, 0]], A1 = [[1, 0], [0, 2]].
 */
const V = [
  [1, -1],
  [2, 0.5], // (0,0): k = 0, 1
  [-1, 2],
  [0.5, 1], // (0,1)
  [3, -2],
  [-1, 1], // (1,0)
  [0.5, 0.5],
  [2, -3], // (1,1)
];
const A = [
  [1, 2, 3, 0],
  [1, 0, 0, 2],
]; // A[k][position], positions in reading order
const BIAS = [0.25, -0.5];

function flatDenseModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 2, strides: 2, activation: "relu", name: "conv" }));
  m.add(tf.layers.flatten({ name: "flat" }));
  m.add(tf.layers.dense({ units: 2, name: "out" }));
  m.layers[0].setWeights([tf.tensor4d([1, 0, 0, 0, 0, 0, 0, 1], [2, 2, 1, 2]), tf.tensor1d([0, -1])]);
  m.layers[2].setWeights([tf.tensor2d(V), tf.tensor1d(BIAS)]);
  return m;
}
/** g[k][position] for class c. */
const grad = (c: number) => [0, 1].map((k) => [0, 1, 2, 3].map((p) => V[p * 2 + k][c]));
const score = (c: number) => [0, 1].reduce((s, k) => s + A[k].reduce((t, a, p) => t + a * V[p * 2 + k][c], 0), BIAS[c]);
const relu = (v: number[]) => v.map((x) => Math.max(0, x));
const weighted = (w: number[]) => [0, 1, 2, 3].map((p) => w[0] * A[0][p] + w[1] * A[1][p]);

async function raw(
  method: (m: tf.LayersModel, x: tf.Tensor, o?: dv.CamOptions) => Promise<dv.Attribution>,
  target: number,
  options: dv.CamOptions = {},
): Promise<number[]> {
  const a = await method(flatDenseModel(), tf.tensor3d(GAP_IMAGE, [4, 4, 1]), {
    target,
    upsample: false,
    relu: false,
    ...options,
  });
  assert.deepEqual(a.values.shape, [2, 2]);
  const v = Array.from(await a.values.data());
  a.dispose();
  return v;
}

describe("CAM variants equal their formulas on a tiny conv model", () => {
  before(async () => {
    await dv.backend();
  });
  for (const c of [0, 1]) {
    describe(`class ${c}`, () => {
      const g = grad(c);
      it("HiResCAM = Σ_k g_k ⊙ A_k", async () => {
        close(
          await raw(dv.hiResCam, c),
          [0, 1, 2, 3].map((p) => g[0][p] * A[0][p] + g[1][p] * A[1][p]),
          1e-5,
        );
      });
      it("Layer-CAM = Σ_k relu(g_k) ⊙ A_k", async () => {
        close(
          await raw(dv.layerCam, c),
          [0, 1, 2, 3].map((p) => Math.max(0, g[0][p]) * A[0][p] + Math.max(0, g[1][p]) * A[1][p]),
          1e-5,
        );
      });
      it("XGrad-CAM: w_k = Σ_ij A_kij g_kij / Σ_ij A_kij", async () => {
        const w = [0, 1].map((k) => A[k].reduce((s, a, p) => s + a * g[k][p], 0) / A[k].reduce((s, a) => s + a, 0));
        close(await raw(dv.xGradCam, c), weighted(w), 1e-5);
      });
      it("Grad-CAM (for contrast): w_k = mean g_k", async () => {
        const w = [0, 1].map((k) => g[k].reduce((s, v) => s + v, 0) / 4);
        close(await raw(dv.gradCam, c), weighted(w), 1e-5);
      });
      it("Ablation-CAM: w_k = (y − y_k)/y with y_k the score with channel k zeroed", async () => {
        const y = score(c);
        const w = [0, 1].map((k) => (y - (y - A[k].reduce((s, a, p) => s + a * g[k][p], 0))) / y);
        close(await raw(dv.ablationCam, c), weighted(w), 1e-5);
        close(await raw(dv.ablationCam, c, { batchSize: 1 } as dv.CamOptions), weighted(w), 1e-5);
      });
    });
  }
  it("the ReLU is on by default, and the maps upsample like Grad-CAM's", async () => {
    const model = flatDenseModel(),
      x = tf.tensor3d(GAP_IMAGE, [4, 4, 1]);
    const raw1 = await raw(dv.hiResCam, 1);
    const a = await dv.hiResCam(model, x, { target: 1, upsample: false });
    close(await a.values.data(), relu(raw1), 1e-6);
    const up = await dv.hiResCam(model, x, { target: 1, upsample: "nearest" });
    assert.deepEqual(up.values.shape, [4, 4]);
    close([(await up.values.data())[0]], [relu(raw1)[0]], 1e-6);
    tf.dispose([a, up, x] as unknown as tf.Tensor[]);
  });
});

describe("Eigen-CAM: first principal component with the sign rule", () => {
  before(async () => {
    await dv.backend();
  });
  /** The centred activations' top principal direction (2×2 covariance, closed form), projected, with v's first entry ≥ 0. */
  function pcProjection(a: number[][]): number[] {
    const means = a.map((ch) => ch.reduce((s, v) => s + v, 0) / ch.length);
    const x = a.map((ch, k) => ch.map((v) => v - means[k]));
    const [sxx, sxy, syy] = [
      x[0].reduce((s, v) => s + v * v, 0),
      x[0].reduce((s, v, p) => s + v * x[1][p], 0),
      x[1].reduce((s, v) => s + v * v, 0),
    ];
    const lambda = (sxx + syy) / 2 + Math.sqrt(((sxx - syy) / 2) ** 2 + sxy ** 2);
    let v = sxy !== 0 ? [sxy, lambda - sxx] : sxx >= syy ? [1, 0] : [0, 1];
    const n = Math.hypot(v[0], v[1]);
    v = v.map((t) => t / n);
    if (v[0] < 0) v = v.map((t) => -t);
    return x[0].map((_, p) => x[0][p] * v[0] + x[1][p] * v[1]);
  }
  const correlationSign = (map: number[], a: number[][]) => {
    const mean = map.map((_, p) => (a[0][p] + a[1][p]) / 2);
    const mm = mean.reduce((s, v) => s + v, 0) / mean.length;
    return Math.sign(map.reduce((s, v, p) => s + v * (mean[p] - mm), 0));
  };
  it("on GAP_IMAGE: ± the projection on the first component, signed to agree with the mean activation", async () => {
    const v = await raw(dv.eigenCam, 0);
    const p = pcProjection(A);
    const sign = correlationSign(p, A);
    assert.notEqual(sign, 0);
    close(
      v,
      p.map((t) => sign * t),
      1e-5,
    );
    assert.equal(correlationSign(v, A), 1);
    close(await raw(dv.eigenCam, 1), v, 1e-6); // no class: the target does not matter
  });
  it("the rule picks the other orientation when the mean activation runs the other way", async () => {
    // image 2: A0 = [[2, 1], [0, 0]], A1 = relu([[1, 1], [4, 2]] − 1) = [[0, 0], [3, 1]]
    const img = [2, 5, 1, 5, 5, 1, 5, 1, 0, 5, 0, 5, 5, 4, 5, 2];
    const a2 = [
      [2, 1, 0, 0],
      [0, 0, 3, 1],
    ];
    const p1 = pcProjection(A),
      p2 = pcProjection(a2);
    const s1 = correlationSign(p1, A),
      s2 = correlationSign(p2, a2);
    assert.equal(s1 * s2, -1, "the test needs one image of each orientation");
    const out = await dv.eigenCam(flatDenseModel(), tf.tensor4d([...GAP_IMAGE, ...img], [2, 4, 4, 1]), {
      upsample: false,
      relu: false,
    });
    const v = Array.from(await out.values.data());
    close(
      v.slice(0, 4),
      p1.map((t) => s1 * t),
      1e-5,
    );
    close(
      v.slice(4),
      p2.map((t) => s2 * t),
      1e-5,
    );
    out.dispose();
  });
  it("more positions than channels takes the other branch (channel covariance) and agrees with it", () => {
    const positions = 9,
      channels = 3;
    const acts = Float32Array.from({ length: positions * channels }, (_, i) => Math.sin(i * 1.7) + (i % 3));
    const viaChannels = dv_firstComponent(acts, positions, channels);
    // the same data with 6 zero channels appended has as many channels as positions... use 10 → Gram branch
    const padded = new Float32Array(positions * 10);
    for (let p = 0; p < positions; p++) for (let k = 0; k < channels; k++) padded[p * 10 + k] = acts[p * channels + k];
    // zero channels change neither the component nor the mean's ordering, only its scale (mean over 10, not 3)
    close(dv_firstComponent(padded, positions, 10), viaChannels, 1e-6);
  });
});

import { firstComponent as dv_firstComponent } from "../../src/methods/eigen-cam";

describe("CAM variants: batched and single, no leaks, errors", () => {
  const model = flatDenseModel();
  const methods = {
    hiResCam: dv.hiResCam,
    layerCam: dv.layerCam,
    xGradCam: dv.xGradCam,
    eigenCam: dv.eigenCam,
    ablationCam: dv.ablationCam,
  };
  for (const [name, method] of Object.entries(methods)) {
    it(`${name}: a batch equals its examples one by one; no tensor leaks; a non-spatial layer is refused`, async () => {
      const xs = tf.randomUniform([3, 4, 4, 1], 0, 3, "float32", 11);
      const before = tf.memory().numTensors;
      const all = await method(model, xs, { target: 1 });
      assert.deepEqual(all.values.shape, [3, 4, 4]);
      const rows = await Promise.all(
        [0, 1, 2].map(async (i) => {
          const xi = tf.tidy(() => tf.squeeze(tf.slice(xs, i, 1), [0]));
          const a = await method(model, xi, { target: 1 });
          const v = Array.from(await a.values.data());
          a.dispose();
          xi.dispose();
          return v;
        }),
      );
      close(await all.values.data(), rows.flat(), 1e-5);
      assert.equal(all.method, name);
      all.dispose();
      try {
        await method(model, xs, { layer: "out" });
        assert.fail("expected an error");
      } catch (e) {
        assert.ok(e instanceof dv.DeepVizError);
        assert.match((e as Error).message, /no spatial axes/);
      }
      assert.equal(tf.memory().numTensors, before);
      xs.dispose();
    });
  }
});
