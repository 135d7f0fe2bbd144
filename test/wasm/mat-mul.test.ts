import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { useBackend, type BackendName } from "../../src/backend";
import { maxRelDiff, onActive, onCpu, rng } from "./reference";

describe("wasm BatchMatMul with transposed operands", function () {
  let previous: BackendName;
  before(async function () {
    previous = await useBackend("wasm"); // wasm kernels: run them there whatever backend() chose
  });
  after(() => useBackend(previous));

  it("equals the cpu kernel for every transpose, rank 2 and 3, small and lopsided shapes", () => {
    const r = rng(9);
    for (let i = 0; i < 160; i++) {
      const transposeA = i % 2 === 1,
        transposeB = (i >> 1) % 2 === 1;
      // lopsided shapes exercise both ways of computing a·bᵀ
      const [m, k, n] = i % 3 === 0 ? [r.int(1, 3), r.int(20, 60), r.int(20, 60)] : [r.int(1, 40), r.int(1, 40), r.int(1, 40)];
      const batch = r.pick([[], [1], [r.int(2, 3)]]);
      const a = r.data([...batch, ...(transposeA ? [k, m] : [m, k])]);
      const b = r.data([...batch, ...(transposeB ? [n, k] : [k, n])]);
      const attrs = { transposeA, transposeB };
      const got = onActive("BatchMatMul", { a, b }, attrs);
      const want = onCpu("BatchMatMul", { a, b }, attrs);
      assert.deepEqual(got.shape, want.shape);
      assert.ok(maxRelDiff(got, want) < 1e-5, `a [${a.shape}] b [${b.shape}] ${transposeA} ${transposeB}`);
    }
  });

  it("a hand-made example: [[1,2],[3,4]]ᵀ · [[5,6],[7,8]]ᵀ", () => {
    const t = (v: number[]) => ({ values: Float32Array.from(v), shape: [2, 2], dtype: "float32" as const });
    const got = onActive("BatchMatMul", { a: t([1, 2, 3, 4]), b: t([5, 6, 7, 8]) }, { transposeA: true, transposeB: true });
    // aᵀ = [[1,3],[2,4]], bᵀ = [[5,7],[6,8]] → [[1·5+3·6, 1·7+3·8], [2·5+4·6, 2·7+4·8]]
    assert.deepEqual(Array.from(got.values), [23, 31, 34, 46]);
  });

  it("leaks no tensors and no wasm data", () => {
    const wasm = tf.backend() as unknown as { numDataIds(): number };
    const before = [tf.memory().numTensors, wasm.numDataIds()];
    const a = tf.randomNormal([3, 50]),
      w = tf.randomNormal([40, 50]),
      c = tf.randomNormal([3, 40]);
    tf.tidy(() => tf.matMul(a, w, false, true).dataSync());
    tf.tidy(() => tf.matMul(w, c, true, true).dataSync());
    tf.tidy(() => tf.matMul(w, w, true, false).dataSync());
    tf.dispose([a, w, c]);
    assert.deepEqual([tf.memory().numTensors, wasm.numDataIds()], before);
  });
});
