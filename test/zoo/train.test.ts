import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as tf from "@tensorflow/tfjs";
import { backend, useBackend } from "../../src/backend";
import { train } from "../../scripts/train";
import { registerWasmConvTraining } from "../../scripts/wasm-conv-grad";
import { loadLayersModelFile } from "../../src/zoo/files";

describe("npm run train (short budgets)", () => {
  before(async () => {
    await backend();
  });

  it("is deterministic for a seed: two 4-step runs give identical weights, another seed differs", async () => {
    const weights = async (seed: number) => {
      const { model } = await train("mnist_cnn", { steps: 4, seed, testSize: 10, log: null });
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values.flat();
    };
    const a = await weights(5),
      b = await weights(5),
      c = await weights(6);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it("training-time conv gradients on wasm equal the cpu backend's (filter and input, several paddings/strides)", async function () {
    const previous = await useBackend("wasm"); // the wasm training kernels: run there whatever backend() chose
    try {
      registerWasmConvTraining();
      const cases: Array<[1 | 2, "same" | "valid", number]> = [
        [1, "same", 3],
        [2, "valid", 3],
        [2, "same", 5],
        [1, "same", 5],
      ];
      for (const [stride, pad, k] of cases) {
        const xv = Array.from({ length: 2 * 9 * 10 * 3 }, (_, i) => Math.sin(i * 0.7));
        const fv = Array.from({ length: k * k * 3 * 4 }, (_, i) => Math.cos(i * 1.3));
        const grads = () =>
          tf.tidy(() => {
            const x = tf.tensor4d(xv, [2, 9, 10, 3]),
              f = tf.tensor4d(fv, [k, k, 3, 4]);
            const loss = (a: tf.Tensor, b: tf.Tensor) =>
              tf
                .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)
                .square()
                .sum();
            return tf
              .grads(loss)([x, f])
              .map((g) => Array.from(g.dataSync()));
          });
        const onWasm = grads();
        await tf.setBackend("cpu");
        const onCpu = grads();
        await tf.setBackend("wasm");
        onWasm.forEach((g, j) =>
          g.forEach((v, i) =>
            assert.ok(
              Math.abs(v - onCpu[j][i]) <= 1e-4 * (1 + Math.abs(onCpu[j][i])),
              `case ${stride}/${pad}/${k} grad ${j}[${i}]: ${v} vs ${onCpu[j][i]}`,
            ),
          ),
        );
      }
    } finally {
      await useBackend(previous);
    }
  });

  it("the CLI writes model.json, weights.bin, meta.json and a card that loads back", function () {
    this.timeout(240000);
    const out = join(mkdtempSync(join(tmpdir(), "dv-train-")), "m");
    execFileSync(
      process.execPath,
      ["--require", "tsx/cjs", "scripts/train.ts", "mnist_cnn", "--steps", "30", "--test", "50", "--out", out],
      { stdio: "pipe" },
    );
    for (const f of ["model.json", "weights.bin", "meta.json", "README.md"]) assert.ok(existsSync(join(out, f)), f);
    const meta = JSON.parse(readFileSync(join(out, "meta.json"), "utf8"));
    assert.equal(meta.training.steps, 30);
    assert.equal(meta.lastConvLayer, "conv2");
    // 30 steps already beat chance (10 %) by far on held-out digits
    assert.ok(meta.accuracy.mnist_test > 0.3, `accuracy ${meta.accuracy.mnist_test}`);
    assert.match(readFileSync(join(out, "README.md"), "utf8"), /npm run train -- mnist_cnn/);
    return loadLayersModelFile(join(out, "model.json")).then((model) => {
      const y = tf.tidy(() => (model.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor).shape);
      assert.deepEqual(y, [2, 10]);
      model.dispose();
    });
  });
});
