import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { useBackend, type BackendName } from "../../src/backend";
import "../../src/wasm"; // registers the library's wasm kernels (the ones under test) when the backend starts
import { maxRelDiff, onActive, onCpu, rng } from "./reference";

describe("wasm pooling gradients", function () {
  let previous: BackendName;
  before(async function () {
    previous = await useBackend("wasm"); // wasm kernels: run them there whatever backend() chose
  });
  after(() => useBackend(previous));

  const cases = (
    seed: number,
    each: (
      c: { x: ReturnType<ReturnType<typeof rng>["data"]>; attrs: object; outShape: number[] },
      r: ReturnType<typeof rng>,
    ) => void,
  ) => {
    const r = rng(seed);
    for (let i = 0; i < 150; i++) {
      const x = r.data([r.int(1, 2), r.int(1, 9), r.int(1, 9), r.int(1, 4)]);
      // a third of the inputs all negative, a third ReLU'd (ties at zero), a third mixed
      const mode = i % 3;
      for (let j = 0; j < x.values.length; j++) {
        if (mode === 0) x.values[j] = -Math.abs(x.values[j]!) - 0.01;
        if (mode === 1) x.values[j] = Math.max(0, Math.round(x.values[j]! * 3) / 3);
      }
      const filterSize: [number, number] = [r.int(1, 3), r.int(1, 3)];
      const strides: [number, number] = [r.int(1, 3), r.int(1, 3)];
      const pad = r.pick(["same", "valid", 0, 1] as const);
      if (typeof pad === "number" && (pad >= filterSize[0] || pad >= filterSize[1])) continue;
      const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad);
      if (info.outHeight <= 0 || info.outWidth <= 0) continue;
      each({ x, attrs: { filterSize, strides, pad }, outShape: info.outShape }, r);
    }
  };

  it("MaxPoolGrad equals the cpu kernel, also on negative windows and ties (stock wasm does not)", () => {
    let checked = 0;
    cases(7, ({ x, attrs, outShape }, r) => {
      const output = onCpu("MaxPool", { x }, attrs);
      const inputs = { dy: r.data(outShape), input: x, output };
      const got = onActive("MaxPoolGrad", inputs, attrs);
      assert.ok(maxRelDiff(got, onCpu("MaxPoolGrad", inputs, attrs)) < 1e-6, JSON.stringify(attrs) + ` x [${x.shape}]`);
      checked++;
    });
    assert.ok(checked > 100);
  });

  it("AvgPoolGrad (stock wasm) equals the cpu kernel", () => {
    cases(8, ({ x, attrs, outShape }, r) => {
      const inputs = { dy: r.data(outShape), input: x };
      assert.ok(maxRelDiff(onActive("AvgPoolGrad", inputs, attrs), onCpu("AvgPoolGrad", inputs, attrs)) < 1e-5);
    });
  });

  it("a hand-made example: the gradient goes to each window's first maximum", () => {
    // 1x3x3x1, 2x2 windows, stride 1, same padding: 9 windows
    const x = { values: Float32Array.from([-1, -5, -3, -2, -4, -9, -7, -6, -8]), shape: [1, 3, 3, 1], dtype: "float32" as const };
    const dy = {
      values: Float32Array.from([1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8]),
      shape: [1, 3, 3, 1],
      dtype: "float32" as const,
    };
    const attrs = { filterSize: 2, strides: 1, pad: "same" };
    const got = onActive("MaxPoolGrad", { dy, input: x, output: onCpu("MaxPool", { x }, attrs) }, attrs);
    // windows (top-left corner) → max @ index: (0,0)→-1@0; (0,1)→-3@2; (0,2)→-3@2; (1,0)→-2@3;
    // (1,1)→-4@4; (1,2)→-8@8; (2,0)→-6@7; (2,1)→-6@7; (2,2)→-8@8
    assert.deepEqual(Array.from(got.values), [1, 0, 110, 1e3, 1e4, 0, 0, 1e6 + 1e7, 1e5 + 1e8]);
  });

  it("MaxPoolGrad on tiling windows (VGG's 2×2 / 2, also 3×3 / 3 and 2×1 / 2×1, odd edges dropped) equals the cpu kernel", () => {
    const r = rng(11);
    const shapes: Array<[number[], [number, number]]> = [
      [
        [2, 8, 8, 16],
        [2, 2],
      ],
      [
        [1, 9, 7, 5],
        [2, 2],
      ],
      [
        [1, 9, 10, 3],
        [3, 3],
      ],
      [
        [2, 6, 5, 4],
        [2, 1],
      ],
    ];
    for (const [shape, filterSize] of shapes) {
      for (const mode of ["mixed", "relu", "negative"]) {
        const x = r.data(shape);
        for (let j = 0; j < x.values.length; j++) {
          if (mode === "relu") x.values[j] = Math.max(0, Math.round(x.values[j]! * 3) / 3); // ties at zero and elsewhere
          if (mode === "negative") x.values[j] = -Math.abs(x.values[j]!) - 0.01;
        }
        const attrs = { filterSize, strides: filterSize, pad: "valid" };
        const output = onCpu("MaxPool", { x }, attrs);
        const inputs = { dy: r.data(output.shape), input: x, output };
        const got = onActive("MaxPoolGrad", inputs, attrs);
        assert.ok(maxRelDiff(got, onCpu("MaxPoolGrad", inputs, attrs)) < 1e-6, `${mode} [${shape}] ${filterSize}`);
      }
    }
  });
});
