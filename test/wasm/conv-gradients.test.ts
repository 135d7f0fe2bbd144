import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { useBackend, type BackendName } from "../../src/backend";
import { fastKernelsOn, useFastKernels } from "../../src/wasm";
import { flippedFilterCount } from "../../src/wasm/flipped-filters";
import { dilateFilter, maxRelDiff, onActive, onCpu, rng } from "./reference";

type Pad = "same" | "valid" | number | number[][];

/** A random convolution geometry whose output is not empty. */
function randomCase(r: ReturnType<typeof rng>, depthwise: boolean, dilated: boolean) {
  for (;;) {
    const n = r.int(1, 2),
      h = r.int(1, 11),
      w = r.int(1, 11),
      c = r.int(1, 5),
      k = r.int(1, 4);
    const filterShape = [r.int(1, 4), r.int(1, 4), c, k] as [number, number, number, number];
    const strides: [number, number] = [r.int(1, 3), r.int(1, 3)];
    const dilations: [number, number] = dilated ? [r.int(1, 3), r.int(1, 3)] : [1, 1];
    const kind = r.pick(["same", "valid", "number", "explicit"] as const);
    const pad: Pad =
      kind === "number"
        ? r.int(0, 2)
        : kind === "explicit"
          ? [
              [0, 0],
              [r.int(0, 3), r.int(0, 3)],
              [r.int(0, 3), r.int(0, 3)],
              [0, 0],
            ]
          : kind;
    const inputShape = [n, h, w, c] as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filterShape,
      strides,
      dilations,
      pad as "same",
      undefined,
      depthwise,
    );
    if (info.outHeight <= 0 || info.outWidth <= 0) continue;
    return { inputShape, filterShape, strides, dilations, pad, outShape: info.outShape };
  }
}

const describeCase = (c: ReturnType<typeof randomCase>) =>
  `x [${c.inputShape}] f [${c.filterShape}] s ${c.strides} d ${c.dilations} pad ${JSON.stringify(c.pad)}`;

describe("wasm gradient kernels", function () {
  let previous: BackendName;
  before(async function () {
    previous = await useBackend("wasm"); // wasm kernels: run them there whatever backend() chose
    assert.ok(fastKernelsOn(), "the library switches its kernels on when wasm is chosen");
  });
  after(() => useBackend(previous));

  it("Conv2DBackpropInput equals the cpu kernel and the stock wasm kernel (200 random geometries)", () => {
    const r = rng(1);
    for (let i = 0; i < 200; i++) {
      const c = randomCase(r, false, false);
      const [kh, kw, ci, co] = c.filterShape;
      const inputs = { dy: r.data([...c.outShape.slice(0, 3), co]), filter: r.data([kh, kw, ci, co]) };
      const attrs = { inputShape: c.inputShape, strides: c.strides, pad: c.pad, dataFormat: "NHWC" };
      const ours = onActive("Conv2DBackpropInput", inputs, attrs);
      assert.ok(maxRelDiff(ours, onCpu("Conv2DBackpropInput", inputs, attrs)) < 1e-5, describeCase(c));
      useFastKernels(false);
      try {
        const stock = onActive("Conv2DBackpropInput", inputs, attrs);
        assert.ok(maxRelDiff(ours, stock) < 1e-5, `stock: ${describeCase(c)}`);
      } finally {
        useFastKernels(true);
      }
    }
  });

  it("DepthwiseConv2dNativeBackpropInput equals the cpu kernel (200 random geometries)", () => {
    const r = rng(2);
    for (let i = 0; i < 200; i++) {
      const c = randomCase(r, true, false);
      const [kh, kw, ch, m] = c.filterShape;
      const inputs = { dy: r.data([...c.outShape.slice(0, 3), ch * m]), filter: r.data([kh, kw, ch, m]) };
      const attrs = { inputShape: c.inputShape, strides: c.strides, dilations: c.dilations, pad: c.pad };
      const ours = onActive("DepthwiseConv2dNativeBackpropInput", inputs, attrs);
      assert.ok(maxRelDiff(ours, onCpu("DepthwiseConv2dNativeBackpropInput", inputs, attrs)) < 1e-5, describeCase(c));
    }
  });

  it("handles dilations: equals the cpu kernel on the filter with its dilation written out as zeros", () => {
    // the cpu backprop kernels ignore dilations, so the reference dilates the filter explicitly
    const r = rng(3);
    for (let i = 0; i < 150; i++) {
      const depthwise = i % 2 === 0;
      const c = randomCase(r, depthwise, true);
      const [kh, kw, a, b] = c.filterShape;
      const filter = r.data([kh, kw, a, b]);
      const dy = r.data([...c.outShape.slice(0, 3), depthwise ? a * b : b]);
      const explicit = { dy, filter: dilateFilter(filter, c.dilations[0], c.dilations[1]) };
      const name = depthwise ? "DepthwiseConv2dNativeBackpropInput" : "Conv2DBackpropInput";
      const want = onCpu(name, explicit, {
        inputShape: c.inputShape,
        strides: c.strides,
        dilations: [1, 1],
        pad: c.pad,
        dataFormat: "NHWC",
      });
      // (tfjs's Conv2DBackpropInput has no dilations attribute; ours reads one when given)
      const got = onActive(
        name,
        { dy, filter },
        { inputShape: c.inputShape, strides: c.strides, dilations: c.dilations, pad: c.pad, dataFormat: "NHWC" },
      );
      assert.ok(maxRelDiff(got, want) < 1e-5, describeCase(c));
    }
  });

  it("keeps one flipped copy per filter and frees it with the filter", () => {
    const wasm = tf.backend() as unknown as { numDataIds(): number };
    const before = { tensors: tf.memory().numTensors, data: wasm.numDataIds(), copies: flippedFilterCount() };
    // 6 input channels: the flipped-filter convolution (at most 4 take the product-and-scatter path)
    const filter = tf.randomNormal([3, 3, 6, 5]);
    const dy = tf.randomNormal([1, 6, 6, 5]);
    const first = tf.conv2dTranspose(dy as tf.Tensor4D, filter as tf.Tensor4D, [1, 6, 6, 6], 1, "same");
    const again = tf.conv2dTranspose(dy as tf.Tensor4D, filter as tf.Tensor4D, [1, 6, 6, 6], 1, "same");
    assert.deepEqual(Array.from(first.dataSync()), Array.from(again.dataSync()));
    assert.equal(flippedFilterCount(), before.copies + 1);
    tf.dispose([filter, dy, first, again]);
    assert.equal(flippedFilterCount(), before.copies);
    assert.equal(tf.memory().numTensors, before.tensors);
    assert.equal(wasm.numDataIds(), before.data);
  });

  it("an image's gradient through a strided stem (3 channels: product and scatter) equals the cpu kernel and frees its temporaries", () => {
    const r = rng(5);
    const wasm = tf.backend() as unknown as { numDataIds(): number };
    const cases: Array<[number, number, number | [number, number], "same" | "valid" | number]> = [
      [33, 32, 2, "same"],
      [31, 30, 2, "valid"],
      [20, 21, [1, 2], "same"],
      [17, 19, 3, 1],
    ];
    for (const [h, w, strides, pad] of cases) {
      const filter = r.data([3, 3, 3, 16]);
      const inputShape = [2, h, w, 3] as [number, number, number, number];
      const info = tf.backend_util.computeConv2DInfo(inputShape, [3, 3, 3, 16], strides, 1, pad);
      const dy = r.data(info.outShape);
      const attrs = { inputShape, strides, pad, dataFormat: "NHWC", dimRoundingMode: undefined };
      const before = wasm.numDataIds();
      const got = onActive("Conv2DBackpropInput", { dy, filter }, attrs);
      assert.equal(wasm.numDataIds(), before, "no wasm data left behind");
      assert.ok(maxRelDiff(got, onCpu("Conv2DBackpropInput", { dy, filter }, attrs)) < 1e-5, `${h}×${w} s${strides} ${pad}`);
    }
  });
});
