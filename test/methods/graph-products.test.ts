import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { close } from "../helpers/models";
import { attr, GraphBuilder } from "../model/graph-fixtures";
import { centerNetShaped } from "../../bench/graph-models";

/**
 * DeepLift and LRP through elementwise products of two computed tensors in a GraphModel (MobileNetV3's
 * hard-swish, swish): DeepLift's product rule, LRP's "signal takes all", each against a computation by
 * hand in plain numbers, their axioms (summation to ΔF, conservation), no leaks; and what stays refused.
 */
const W = [
  [1, 0.5],
  [-1, 2],
]; // W[i][k]: input i → unit k
const V = [1.5, -0.8];
const X = [3, 1]; // z = [2, 3.5]: unit 0 in relu6's linear part, unit 1 clipped at 6
const X0 = [-2.8, 1.2]; // z′ = [−4, 1]: unit 0 below the gate's lower kink, unit 1 between the kinks
const mm = { transpose_a: attr.bool(false), transpose_b: attr.bool(false) };

/**
 * x[2] → "z" MatMul W → hard-swish ("hs" = z·relu6(z + 3)·(1/6), signal first) → swish ("sw" =
 * σ(hs)·hs, gate first) → "out" MatMul V → one score.
 */
async function gatedGraph(): Promise<tf.GraphModel> {
  const g = new GraphBuilder();
  g.input("x", [-1, 2]);
  g.op("z", "MatMul", ["x", g.constant("W", W.flat(), [2, 2])], mm);
  g.op("add", "AddV2", ["z", g.constant("three", [3], [])]);
  g.op("gate", "Relu6", ["add"]);
  g.op("prod", "Mul", ["z", "gate"]);
  g.op("hs", "Mul", ["prod", g.constant("sixth", [1 / 6], [])]);
  g.op("sig", "Sigmoid", ["hs"]);
  g.op("sw", "Mul", ["sig", "hs"]);
  g.op("out", "MatMul", ["sw", g.constant("V", V, [2, 1])], mm);
  g.op("Identity", "Identity", ["out"]);
  const model = await g.build();
  g.dispose();
  return model;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const relu6 = (v: number) => Math.min(Math.max(v, 0), 6);
/** Every intermediate value of the graph, by hand. */
function values(x: number[]) {
  const z = [0, 1].map((k) => x[0] * W[0][k] + x[1] * W[1][k]);
  const gate = z.map((v) => relu6(v + 3));
  const hs = z.map((v, k) => (v * gate[k]) / 6);
  const sig = hs.map(sigmoid);
  const sw = hs.map((v, k) => sig[k] * v);
  const out = sw.reduce((s, v, k) => s + v * V[k], 0);
  return { z, gate, hs, sig, sw, out };
}

describe("DeepLift and LRP through products of computed tensors (GraphModels)", () => {
  let model: tf.GraphModel;
  before(async () => {
    await dv.backend();
    model = await gatedGraph();
  });
  after(() => model.dispose());

  it("DeepLift: the product rule Δ(ab) = b̄Δa + āΔb (with the Rescale rule at relu6 and σ), by hand; Σ = F(x) − F(x′)", async () => {
    const [v, r] = [values(X), values(X0)];
    const mean = (a: number[], b: number[]) => a.map((t, k) => (t + b[k]) / 2);
    const ratio = (dy: number[], dx: number[]) => dy.map((t, k) => t / dx[k]);
    const diff = (a: number[], b: number[]) => a.map((t, k) => t - b[k]);
    // multipliers from the score down: sw = sig·hs, hs = z·gate/6
    const mSig = ratio(diff(v.sig, r.sig), diff(v.hs, r.hs));
    const sigBar = mean(v.sig, r.sig);
    const hsBar = mean(v.hs, r.hs);
    const mHs = V.map((vk, k) => vk * (sigBar[k] + hsBar[k] * mSig[k]));
    const mGate = ratio(diff(v.gate, r.gate), diff(v.z, r.z));
    const gateBar = mean(v.gate, r.gate);
    const zBar = mean(v.z, r.z);
    const mZ = mHs.map((m, k) => (m / 6) * (gateBar[k] + zBar[k] * mGate[k]));
    const expected = [0, 1].map((i) => (X[i] - X0[i]) * (W[i][0] * mZ[0] + W[i][1] * mZ[1]));

    const x = tf.tensor1d(X);
    const baseline = tf.tensor1d(X0);
    const before = tf.memory().numTensors;
    const a = await dv.deepLift(model, x, { baseline, target: 0 });
    const got = Array.from(await a.values.data());
    close(got, expected, 1e-5, "attribution");
    close([got[0] + got[1]], [v.out - r.out], 1e-5, "Σ = ΔF");
    close(a.delta!, [0], 1e-5, "info.delta");
    // the case is there: not gradient × Δx (relu6 crosses both kinks between x′ and x, σ is curved)
    const gradTimesDelta = tf.tidy(() =>
      Array.from(
        tf
          .mul(tf.grad((t: tf.Tensor) => tf.sum(model.execute(t, "out") as tf.Tensor))(tf.stack([x])), tf.sub(x, baseline))
          .dataSync(),
      ),
    );
    assert.ok(Math.abs(gradTimesDelta[0] - got[0]) > 0.1, `gradient × Δx ${gradTimesDelta} vs ${got}`);
    a.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, baseline]);
  });

  it("DeepLift: exact on a batch of rows, one of them equal to the reference (Δ = 0 at every node)", async () => {
    const xs = tf.tensor2d([X, [0.5, -0.5], [-1, 1.5]]);
    const baseline = tf.tensor1d([0.5, -0.5]); // the second row is the reference itself: all zeros
    const before = tf.memory().numTensors;
    const a = await dv.deepLift(model, xs, { baseline, target: [0, 0, 0] });
    const rows = (await a.values.array()) as number[][];
    const f = (x: number[]) => values(x).out;
    close(
      rows.map((r) => r[0] + r[1]),
      [X, [0.5, -0.5], [-1, 1.5]].map((x) => f(x) - f([0.5, -0.5])),
      1e-5,
      "Σ = ΔF per row",
    );
    close(rows[1], [0, 0], 1e-7, "x = x′");
    a.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([xs, baseline]);
  });

  it("LRP-ε: the signal takes all (the gates relu6(z + 3) and σ(hs) none), by hand; Σ R = the score", async () => {
    const v = values(X);
    // R_sw = sw ⊙ V (the score's share per unit) passes to hs, then to prod and to z; the ε rule at the
    // first MatMul shares R_z by x_i W_ik / z_k
    const rZ = v.sw.map((s, k) => s * V[k]);
    const expected = [0, 1].map((i) => X[i] * W[i][0] * (rZ[0] / v.z[0]) + X[i] * W[i][1] * (rZ[1] / v.z[1]));
    const x = tf.tensor1d(X);
    const before = tf.memory().numTensors;
    const a = await dv.lrp(model, x, { target: 0 });
    const got = Array.from(await a.values.data());
    close(got, expected, 1e-5, "relevance");
    close([got[0] + got[1]], [v.out], 1e-5, "Σ R = score");
    close(a.info.conservation as number[], [1], 1e-5, "conservation");
    a.dispose();
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });

  it("a squeeze-and-excitation gate broadcast over the map: DeepLift sums to ΔF, LRP's relevance is x ⊙ σ(mean x)/8", async () => {
    // x [2, 2, 2] → "pool" Mean over H, W → "gate" σ → "se" x ⊙ gate (broadcast) → "score" mean of all 8
    const g = new GraphBuilder();
    g.input("x", [-1, 2, 2, 2]);
    g.op("pool", "Mean", ["x", g.constant("hw", [1, 2], [2], "int32")], { keep_dims: attr.bool(true) });
    g.op("gate", "Sigmoid", ["pool"]);
    g.op("se", "Mul", ["x", "gate"]);
    g.op("score", "Mean", ["se", g.constant("all", [1, 2, 3], [3], "int32")]);
    g.op("Identity", "Identity", ["score"]);
    const se = await g.build();
    g.dispose();
    const rows = [
      [1, -2, 0.5, 3, -1, 2, 4, -0.5],
      [0.2, 0.1, -3, 1, 2, 2, -1, 0],
    ];
    const byHand = (v: number[]) => {
      const gate = [0, 1].map((c) => sigmoid((v[c] + v[2 + c] + v[4 + c] + v[6 + c]) / 4));
      const out = v.map((t, i) => t * gate[i % 2]);
      return { out, score: out.reduce((a, b) => a + b, 0) / 8 };
    };
    const reference = [0.5, -0.5, 0, 1, 1, 0, -1, 0.5];
    const x = tf.tensor4d(rows.flat(), [2, 2, 2, 2]);
    const baseline = tf.tensor3d(reference, [2, 2, 2]);
    const before = tf.memory().numTensors;
    const d = await dv.deepLift(se, x, { baseline, target: (t: tf.Tensor) => t });
    const sums = tf.tidy(() => Array.from(tf.sum(d.values, [1, 2, 3]).dataSync()));
    close(
      sums,
      rows.map((v) => byHand(v).score - byHand(reference).score),
      1e-5,
      "Σ = ΔF",
    );
    const r = await dv.lrp(se, x, { target: (t: tf.Tensor) => t });
    close(
      Array.from(await r.values.data()),
      rows.flatMap((v) => byHand(v).out.map((t) => t / 8)),
      1e-5,
      "R = x ⊙ σ(mean x)/8",
    );
    close(r.info.conservation as number[], [1, 1], 1e-5, "conservation");
    d.dispose();
    r.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, baseline]);
    se.dispose();
  });

  it("on the CenterNet-MobileNetV3-shaped detector (fused convs, hard-swish, ReLU6, half-pixel resize): DeepLift exact, LRP finite", async () => {
    const { model: det } = await centerNetShaped({ batch: -1, size: 64 });
    const x = tf.randomUniform([2, 64, 64, 3], 0, 255, "float32", 7);
    const baseline = tf.fill([64, 64, 3], 128);
    // one fixed heatmap cell (a per-row peak would pick another cell at the reference)
    const cell = (t: tf.Tensor) => tf.reshape(tf.slice(t, [0, 5, 9, 0], [-1, 1, 1, 1]), [-1]);
    const before = tf.memory().numTensors;
    const d = await dv.deepLift(det, x, { baseline, target: cell });
    const [f, f0] = tf.tidy(() =>
      [x, tf.expandDims(baseline, 0)].map((t) => Array.from(cell(dv.forward(det, t).output).dataSync())),
    );
    const [sums, mass] = tf.tidy(() =>
      [tf.sum(d.values, [1, 2, 3]), tf.sum(tf.abs(d.values), [1, 2, 3])].map((t) => Array.from(t.dataSync())),
    );
    sums.forEach((s, i) => {
      const residual = Math.abs(s - (f[i] - f0[0]));
      assert.ok(residual < 1e-5 * mass[i], `row ${i}: Σ ${s} vs ΔF ${f[i] - f0[0]} (Σ|a| ${mass[i]})`);
    });
    const r = await dv.lrp(det, x, { target: cell });
    assert.ok(tf.tidy(() => tf.all(tf.isFinite(r.values)).dataSync()[0]) === 1 && mass.every((m) => m > 0));
    d.dispose();
    r.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, baseline]);
    det.dispose();
  });

  it("Sub of two computed tensors: LRP shares a − b as R_a = a/(a − b)·R, R_b = −b/(a − b)·R; DeepLift keeps it linear", async () => {
    // x[2] → "a" = x·A, "b" = x·B → "d" = a − b: R_x = x ⊙ A − x ⊙ B (each branch's ε rule gives back its share)
    const [A, B] = [
      [2, -1],
      [0.5, 3],
    ];
    const g = new GraphBuilder();
    g.input("x", [-1, 2]);
    g.op("a", "MatMul", ["x", g.constant("A", A, [2, 1])], mm);
    g.op("b", "MatMul", ["x", g.constant("B", B, [2, 1])], mm);
    g.op("d", "Sub", ["a", "b"]);
    g.op("Identity", "Identity", ["d"]);
    const sub = await g.build();
    g.dispose();
    const x = tf.tensor1d(X);
    const baseline = tf.tensor1d(X0);
    const before = tf.memory().numTensors;
    const r = await dv.lrp(sub, x, { target: 0 });
    close(
      Array.from(await r.values.data()),
      [0, 1].map((i) => X[i] * A[i] - X[i] * B[i]),
      1e-5,
      "relevance",
    );
    const d = await dv.deepLift(sub, x, { baseline, target: 0 });
    close(
      Array.from(await d.values.data()),
      [0, 1].map((i) => (X[i] - X0[i]) * (A[i] - B[i])),
      1e-5,
      "DeepLift",
    );
    r.dispose();
    d.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, baseline]);
    sub.dispose();
  });

  it("a product of two computed non-gates: DeepLift shares it by the product rule, LRP refuses; a quotient by one is refused", async () => {
    const build = async (op: "Mul" | "RealDiv") => {
      const g = new GraphBuilder();
      g.input("x", [-1, 2]);
      g.op("z", "MatMul", ["x", g.constant("W", W.flat(), [2, 2])], mm);
      g.op("shift", "AddV2", ["z", g.constant("five", [5], [])]);
      g.op("bilinear", op, ["z", "shift"]);
      g.op("out", "MatMul", ["bilinear", g.constant("V", V, [2, 1])], mm);
      g.op("Identity", "Identity", ["out"]);
      const m = await g.build();
      g.dispose();
      return m;
    };
    const [product, quotient] = [await build("Mul"), await build("RealDiv")];
    const x = tf.tensor1d(X);
    const baseline = tf.tensor1d(X0);
    const before = tf.memory().numTensors;
    // z·(z + 5): Δ = (z̄ + 5)Δz + z̄Δz per unit, exactly ΔF
    const a = await dv.deepLift(product, x, { baseline, target: 0 });
    const f = (xs: number[]) => values(xs).z.reduce((s, z, k) => s + z * (z + 5) * V[k], 0);
    close([tf.tidy(() => tf.sum(a.values).dataSync()[0])], [f(X) - f(X0)], 1e-5, "Σ = ΔF");
    a.dispose();
    const refused = (re: RegExp) => (e: Error) => e instanceof dv.DeepVizError && re.test(e.message);
    await assert.rejects(
      dv.lrp(product, x, { target: 0 }),
      refused(
        /lrp has no rule for node "bilinear" \(op Mul\): it multiplies two computed tensors, neither \(or both\).*integratedGradients/,
      ),
    );
    for (const run of [() => dv.deepLift(quotient, x, { baseline, target: 0 }), () => dv.lrp(quotient, x, { target: 0 })])
      await assert.rejects(
        run(),
        refused(/no rule for node "bilinear" \(RealDiv\): it divides by "shift", which depends on the input/),
      );
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, baseline]);
    product.dispose();
    quotient.dispose();
  });
});
