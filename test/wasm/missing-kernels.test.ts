import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { useBackend, type BackendName } from "../../src/backend";
import { maxRelDiff, onActive, onCpu, rng } from "./reference";

/** Gradients that stock tfjs-backend-wasm cannot compute ("kernel not registered") and the library adds. */
describe("wasm kernels missing from stock tfjs", function () {
  let previous: BackendName;
  before(async function () {
    previous = await useBackend("wasm"); // wasm kernels: run them there whatever backend() chose
  });
  after(() => useBackend(previous));

  it("Conv2DBackpropFilter and DepthwiseConv2dNativeBackpropFilter equal the cpu kernels", () => {
    const r = rng(4);
    for (let i = 0; i < 30; i++) {
      const depthwise = i % 2 === 1;
      const x = r.data([r.int(1, 2), r.int(3, 9), r.int(3, 9), r.int(1, 4)]);
      const filterShape = [r.int(1, 3), r.int(1, 3), x.shape[3]!, r.int(1, 3)];
      const strides: [number, number] = [r.int(1, 2), r.int(1, 2)];
      const pad = r.pick(["same", "valid"] as const);
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape as [number, number, number, number],
        strides,
        1,
        pad,
        undefined,
        depthwise,
      );
      const dy = r.data(info.outShape);
      const name = depthwise ? "DepthwiseConv2dNativeBackpropFilter" : "Conv2DBackpropFilter";
      const attrs = { filterShape, strides, pad, dataFormat: "NHWC", dilations: [1, 1] };
      const got = onActive(name, { x, dy }, attrs);
      assert.ok(maxRelDiff(got, onCpu(name, { x, dy }, attrs)) < 1e-6, `${name} ${i}`);
    }
  });

  it("UnsortedSegmentSum (the gradient of gather) equals the cpu kernel", () => {
    const r = rng(5);
    const x = r.data([6, 3]);
    const segmentIds = { values: Int32Array.from([0, 2, 2, 4, 0, 1]), shape: [6], dtype: "int32" as const };
    const got = onActive("UnsortedSegmentSum", { x, segmentIds }, { numSegments: 5 });
    assert.ok(maxRelDiff(got, onCpu("UnsortedSegmentSum", { x, segmentIds }, { numSegments: 5 })) === 0);
    // hand check: segment 2 is the sum of rows 1 and 2
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(got.values[2 * 3 + c]! - (x.values[3 + c]! + x.values[6 + c]!)) < 1e-6);
  });

  it("training gradients of a small CNN run on wasm, equal the cpu backend's, and leak no tensors", async () => {
    const make = () => {
      const r = rng(6); // same values on both backends
      const t = (shape: number[]) => tf.tensor(r.data(shape).values, shape);
      return [t([2, 8, 8, 3]), t([3, 3, 3, 4]), t([3, 3, 4, 2]), t([32, 5]), t([7, 4])];
    };
    const loss = (x: tf.Tensor, conv: tf.Tensor, depth: tf.Tensor, dense: tf.Tensor, table: tf.Tensor) => {
      let h = tf.relu(tf.conv2d(x as tf.Tensor4D, conv as tf.Tensor4D, 1, "same"));
      h = tf.depthwiseConv2d(h, depth as tf.Tensor4D, 2, "same");
      h = tf.avgPool(tf.maxPool(h, 2, 1, "same"), 2, 2, "valid");
      const rows = tf.gather(table, tf.tensor1d([1, 3], "int32")); // [2, 4]
      const flat = tf.add(tf.reshape(h, [2, -1]), tf.tile(rows, [1, 8]));
      return tf.sum(tf.square(tf.matMul(flat as tf.Tensor2D, dense as tf.Tensor2D)));
    };
    const gradients = () => {
      const vars = make();
      const g = tf.grads(loss as (...a: tf.Tensor[]) => tf.Tensor)(vars);
      const out = g.map((t) => ({ values: t.dataSync() as Float32Array, shape: t.shape, dtype: "float32" as const }));
      tf.dispose([...g, ...vars]);
      return out;
    };
    const before = tf.memory().numTensors;
    const wasm = gradients();
    assert.equal(tf.memory().numTensors, before);
    await tf.setBackend("cpu");
    let cpu: ReturnType<typeof gradients>;
    try {
      cpu = gradients();
    } finally {
      await tf.setBackend("wasm");
    }
    wasm.forEach((g, i) => assert.ok(maxRelDiff(g, cpu[i]!) < 1e-4, `gradient ${i}`));
  });
});

describe("wasm Tile", function () {
  let previous: BackendName;
  before(async function () {
    previous = await useBackend("wasm"); // wasm kernels: run them there whatever backend() chose
  });
  after(() => useBackend(previous));

  it("equals the cpu kernel over random shapes, repetitions and dtypes", () => {
    const r = rng(10);
    for (let i = 0; i < 100; i++) {
      const rank = r.int(1, 4);
      const shape = Array.from({ length: rank }, () => r.int(1, 4));
      const reps = Array.from({ length: rank }, () => r.int(1, 3));
      const x = r.data(shape);
      const data = i % 2 ? x : { values: Int32Array.from(x.values, (v) => Math.round(v * 100)), shape, dtype: "int32" as const };
      const got = onActive("Tile", { x: data }, { reps });
      const want = onCpu("Tile", { x: data }, { reps });
      assert.deepEqual(got.shape, want.shape);
      assert.deepEqual(Array.from(got.values), Array.from(want.values), `[${shape}] × [${reps}]`);
    }
  });

  it("a hand-made example: [[1, 2]] tiled [2, 3]", () => {
    const got = onActive("Tile", { x: { values: Float32Array.from([1, 2]), shape: [1, 2], dtype: "float32" } }, { reps: [2, 3] });
    assert.deepEqual(got.shape, [2, 6]);
    assert.deepEqual(Array.from(got.values), [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]);
  });
});
