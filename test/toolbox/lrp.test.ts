import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close, poolModel } from "../helpers/models";

/** Dense layers as plain arrays: W[i][k], b[k]. */
interface DenseSpec {
  w: number[][];
  b: number[];
  relu: boolean;
}

function denseNet(specs: DenseSpec[]): tf.LayersModel {
  const m = tf.sequential();
  specs.forEach((s, i) => {
    m.add(
      tf.layers.dense({
        units: s.b.length,
        activation: s.relu ? "relu" : "linear",
        ...(i === 0 ? { inputShape: [s.w.length] } : {}),
      }),
    );
    m.layers[i].setWeights([tf.tensor2d(s.w), tf.tensor1d(s.b)]);
  });
  return m;
}

/** LRP-ε by the textbook formula, written on arrays: R_j = Σ_k a_j w_jk / (z_k + ε sign z_k) R_k. */
function epsilonByHand(specs: DenseSpec[], x: number[], target: number, eps: number): number[] {
  const acts = [x];
  const pres: number[][] = [];
  for (const s of specs) {
    const a = acts[acts.length - 1];
    const z = s.b.map((bk, k) => bk + a.reduce((sum, aj, j) => sum + aj * s.w[j][k], 0));
    pres.push(z);
    acts.push(s.relu ? z.map((v) => Math.max(0, v)) : z);
  }
  let R = pres[pres.length - 1].map((v, k) => (k === target ? v : 0));
  for (let l = specs.length - 1; l >= 0; l--) {
    const a = acts[l],
      z = pres[l],
      w = specs[l].w;
    R = a.map((aj, j) => z.reduce((sum, zk, k) => sum + ((aj * w[j][k]) / (zk + eps * (zk >= 0 ? 1 : -1))) * R[k], 0));
  }
  return R;
}

describe("lrp", () => {
  before(async () => {
    await dv.backend();
  });

  it("ε rule on a two-layer ReLU net with biases matches the formula by hand", async () => {
    const specs: DenseSpec[] = [
      {
        w: [
          [1, -1, 0.5],
          [2, 1, -1],
        ],
        b: [0.5, 0.5, -0.25],
        relu: true,
      },
      {
        w: [
          [3, 1],
          [-2, 0.5],
          [1, -1],
        ],
        b: [0.25, -0.5],
        relu: false,
      },
    ];
    const model = denseNet(specs);
    const x = [1, 2];
    // hidden z = [5.5, 1.5, -1.75] → a = [5.5, 1.5, 0]; out z0 = 16.5 − 3 + 0.25 = 13.75
    for (const eps of [1e-6, 0.5]) {
      const a = await dv.lrp(model, tf.tensor1d(x), { target: 0, epsilon: eps });
      const expected = epsilonByHand(specs, x, 0, eps);
      close(await a.values.data(), expected, 1e-4, `ε=${eps}`);
      // with ε ≈ 0: R_hidden = [16.5, −3]·13.75/13.75, R_x1 = 16.5·1/5.5 + (−3)·2/1.5
      if (eps === 1e-6)
        close(
          expected,
          [((1 * 1) / 5.5) * 16.5 + ((1 * -1) / 1.5) * -3, ((2 * 2) / 5.5) * 16.5 + ((2 * 1) / 1.5) * -3],
          1e-5,
          "hand numbers",
        ); // [5, 8]
      close(a.info.score as number[], [13.75], 1e-5);
      a.dispose();
    }
  });

  it("γ and αβ rules on one dense layer match their definitions", async () => {
    const w = [[2], [-1], [0.5]],
      b = [0.3];
    const model = denseNet([{ w, b: b, relu: false }]);
    const x = [1, 2, -2]; // contributions a_j w_j = [2, −2, −1]; z = −1 + 0.3 = −0.7
    const contrib = x.map((xj, j) => xj * w[j][0]);
    const z = contrib.reduce((s, c) => s + c, 0) + b[0];
    // γ: (w + γw⁺), bias b + γb⁺; R_j = a_j(w_j + γw_j⁺) / Σ(...) · z
    const gamma = 0.5;
    const wg = w.map(([v]) => v + gamma * Math.max(0, v));
    const zg = x.reduce((s, xj, j) => s + xj * wg[j], 0) + b[0] + gamma * Math.max(0, b[0]);
    const g = await dv.lrp(model, tf.tensor1d(x), { target: 0, rule: "gamma", gamma });
    close(
      await g.values.data(),
      x.map((xj, j) => ((xj * wg[j]) / zg) * z),
      1e-4,
      "gamma",
    );
    // αβ (α 2, β 1, bias left out): R_j = (α c_j⁺/Σc⁺ − β c_j⁻/Σc⁻) · z
    const pos = contrib.map((c) => Math.max(0, c)),
      neg = contrib.map((c) => Math.min(0, c));
    const sp = pos.reduce((s, c) => s + c, 0),
      sn = neg.reduce((s, c) => s + c, 0);
    const ab = await dv.lrp(model, tf.tensor1d(x), { target: 0, rule: "alphaBeta", alpha: 2, beta: 1 });
    close(
      await ab.values.data(),
      contrib.map((_, j) => ((2 * pos[j]) / sp - (1 * neg[j]) / sn) * z),
      1e-4,
      "alphaBeta",
    );
    const zp = await dv.lrp(model, tf.tensor1d(x), { target: 0, rule: "zPlus" });
    close(
      await zp.values.data(),
      pos.map((c) => (c / sp) * z),
      1e-4,
      "zPlus",
    );
    // z^B with bounds [l, h] = [−2, 3]: R_j = (x_j w_j − l w_j⁺ − h w_j⁻) / Σ(...) · z
    const [l, h] = [-2, 3];
    const parts = x.map((xj, j) => xj * w[j][0] - l * Math.max(0, w[j][0]) - h * Math.min(0, w[j][0]));
    const zb = await dv.lrp(model, tf.tensor1d(x), { target: 0, rule: "zB", bounds: [l, h] });
    close(
      await zb.values.data(),
      parts.map((p) => (p / parts.reduce((s, q) => s + q, 0)) * z),
      1e-4,
      "zB",
    );
    [g, ab, zp, zb].forEach((a) => a.dispose());
  });

  it("max pooling gives the relevance to the winner of each window", async () => {
    const model = poolModel(); // 4×4 → maxpool 2 → dense [1, 2, 3, 4]
    const x = tf.tensor3d([1, 5, 2, 0, 3, 4, 9, 1, 0, 2, 1, 1, 7, 1, 6, 8], [4, 4, 1]);
    const a = await dv.lrp(model, x as tf.Tensor3D, { target: 0 });
    const expected = new Array(16).fill(0);
    expected[1] = 1 * 5;
    expected[6] = 2 * 9;
    expected[12] = 3 * 7;
    expected[15] = 4 * 8;
    close(await a.values.data(), expected, 1e-4);
    a.dispose();
    x.dispose();
  });

  describe("conservation on bias-free nets", () => {
    const noBias = { useBias: false };
    const init = (s: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: s }) });
    function cnn(): tf.LayersModel {
      const input = tf.input({ shape: [8, 8, 3] });
      let h = tf.layers
        .conv2d({ filters: 4, kernelSize: 3, padding: "same", activation: "relu", ...noBias, ...init(1) })
        .apply(input) as tf.SymbolicTensor;
      const skip = h;
      h = tf.layers
        .depthwiseConv2d({
          kernelSize: 3,
          padding: "same",
          ...noBias,
          depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        })
        .apply(h) as tf.SymbolicTensor;
      h = tf.layers.reLU().apply(h) as tf.SymbolicTensor;
      h = tf.layers.add().apply([h, skip]) as tf.SymbolicTensor;
      h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
      h = tf.layers
        .separableConv2d({
          filters: 6,
          kernelSize: 3,
          padding: "same",
          activation: "relu",
          ...noBias,
          depthwiseInitializer: tf.initializers.glorotUniform({ seed: 3 }),
          pointwiseInitializer: tf.initializers.glorotUniform({ seed: 4 }),
        })
        .apply(h) as tf.SymbolicTensor;
      h = tf.layers.averagePooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
      const a = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
      const b = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
      h = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
      h = tf.layers.dense({ units: 5, activation: "relu", ...noBias, ...init(5) }).apply(h) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: 3, activation: "softmax", ...noBias, ...init(6) }).apply(h) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out });
    }
    const model = cnn();
    const x = tf.randomUniform([3, 8, 8, 3], 0, 1, "float32", 7);

    for (const rule of ["epsilon", "gamma", "epsilonGammaBox"] as const) {
      it(`${rule}: Σ input relevance = the score, for every example of a batch`, async () => {
        const before = tf.memory().numTensors;
        const a = await dv.lrp(model, x, { rule, epsilon: 1e-9 });
        assert.equal(tf.memory().numTensors, before + 2, "leaked tensors");
        const score = a.info.score as number[];
        assert.ok(
          score.every((s) => s > 0),
          `scores ${score}`,
        );
        close(a.info.relevance as number[], score, 1e-3, rule);
        close(a.info.conservation as number[], [1, 1, 1], 1e-3);
        // batched equals one example at a time
        const one = await dv.lrp(model, x.slice(1, 1).squeeze([0]), { rule, epsilon: 1e-9, target: a.target![1] });
        close(await one.values.data(), await a.values.slice(1, 1).data(), 1e-4, "batch vs single");
        a.dispose();
        one.dispose();
      });
    }

    it("zPlus and alphaBeta conserve where every relevant neuron is a ReLU's positive input", async () => {
      // (not inside a separable conv: its depthwise half has negative outputs, whose positive share can be empty)
      const plain = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, activation: "relu", ...noBias, ...init(11) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 5, kernelSize: 2, activation: "relu", ...noBias, ...init(12) }),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dense({ units: 3, ...noBias, ...init(13) }),
        ],
      });
      for (const rule of ["zPlus", "alphaBeta"] as const) {
        // the output's own relevance may be negative: its positive (and negative) shares still add up to it
        const a = await dv.lrp(plain, x, { rule, target: 0 });
        close(a.info.relevance as number[], a.info.score as number[], 1e-3, rule);
        assert.ok(
          (a.info.score as number[]).every((s) => Math.abs(s) > 1e-3),
          "non-trivial scores",
        );
        a.dispose();
      }
    });

    it("a batch norm after a conv is folded into it: same as the conv with folded weights", async () => {
      const conv = tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, ...init(8) });
      const withBn = tf.sequential({
        layers: [
          conv,
          tf.layers.batchNormalization(),
          tf.layers.reLU(),
          tf.layers.flatten(),
          tf.layers.dense({ units: 2, ...init(9) }),
        ],
      });
      const bn = withBn.layers[1];
      const [gamma, beta, mean, variance] = [
        [1.5, 0.5, 2],
        [0.1, -0.2, 0.3],
        [0.2, -0.1, 0.05],
        [2, 0.5, 1],
      ];
      bn.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta), tf.tensor1d(mean), tf.tensor1d(variance)]);
      const scale = gamma.map((g, i) => g / Math.sqrt(variance[i] + 1e-3));
      const [k, b] = conv.getWeights();
      const folded = tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [6, 6, 2],
            filters: 3,
            kernelSize: 3,
            weights: [
              tf.mul(k, tf.tensor1d(scale)),
              tf.add(tf.mul(b, tf.tensor1d(scale)), tf.tensor1d(beta.map((bt, i) => bt - mean[i] * scale[i]))),
            ],
          }),
          tf.layers.reLU(),
          tf.layers.flatten(),
          tf.layers.dense({ units: 2, weights: withBn.layers[4].getWeights() }),
        ],
      });
      const img = tf.randomUniform([6, 6, 2], 0, 1, "float32", 3);
      for (const rule of ["epsilon", "gamma", "alphaBeta"] as const) {
        const a = await dv.lrp(withBn, img, { rule, target: 1, epsilon: 0.01 });
        const e = await dv.lrp(folded, img, { rule, target: 1, epsilon: 0.01 });
        close(await a.values.data(), await e.values.data(), 1e-3, rule);
        a.dispose();
        e.dispose();
      }
    });
  });

  it("says what is wrong: unknown rules, bad α/β, unsupported layers", async () => {
    const model = poolModel();
    const x = tf.zeros([4, 4, 1]);
    await assert.rejects(
      dv.lrp(model, x, { rule: "flat" as dv.LrpRule }),
      (e: Error) => e instanceof dv.DeepVizError && /unknown LRP rule "flat"/.test(e.message),
    );
    await assert.rejects(dv.lrp(model, x, { rule: "alphaBeta", alpha: 2, beta: 2 }), /alpha − beta = 1/);
    await assert.rejects(
      dv.lrp(model, x, { rule: { dense: "gamma", pool: "epsilon" } as dv.LrpComposite }),
      /"pool" is not a layer type/,
    );
    const lstm = tf.sequential({
      layers: [tf.layers.simpleRNN({ units: 2, inputShape: [3, 2] }), tf.layers.dense({ units: 1 })],
    });
    await assert.rejects(dv.lrp(lstm, tf.zeros([3, 2])), /no rule for layer .*SimpleRNN/);
    x.dispose();
  });
});
