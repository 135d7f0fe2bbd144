import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { rejects } from "../metrics/helpers";

/**
 * 16×16×1 → conv 3×3 same → pool 2 → conv 3×3 dilation 2 same → conv 2×2 stride 2 valid → conv 3×3
 * stride 2 same → batch norm → zero padding 1. Hand-derived fields (size, stride, offset of unit 0):
 *   c1  3, 1, −1              (a 3×3 "same" conv pads 1 before)
 *   p1  3+1 = 4, 2, −1
 *   c2  k = 2·2+1 = 5; on 8×8 "same" pads (8−1)+5−8 = 4, 2 before: 4+4·2 = 12, 2, −1−2·2 = −5
 *   c3  12+1·2 = 14, 4, −5    ("valid": no padding)
 *   c4  on 4×4, stride 2 "same" pads (2−1)·2+3−4 = 1, 0 before (TensorFlow puts the odd pixel after):
 *       14+2·4 = 22, 8, −5
 *   bn  unchanged;  zp  offset −5 − 1·8 = −13
 */
function geometryModel(pooling: "max" | "average", activation: "relu" | "linear" = "relu", dilated = true): tf.Sequential {
  const m = tf.sequential();
  const ones = "ones" as const;
  m.add(
    tf.layers.conv2d({
      name: "c1",
      inputShape: [16, 16, 1],
      filters: 1,
      kernelSize: 3,
      padding: "same",
      activation,
      kernelInitializer: ones,
    }),
  );
  m.add(
    pooling === "max"
      ? tf.layers.maxPooling2d({ name: "p1", poolSize: 2 })
      : tf.layers.averagePooling2d({ name: "p1", poolSize: 2 }),
  );
  // a 5×5 kernel spans what a 3×3 one with dilation 2 spans (tfjs has no gradient for dilated convolutions)
  const c2 = dilated ? { kernelSize: 3, dilationRate: 2 } : { kernelSize: 5 };
  m.add(tf.layers.conv2d({ name: "c2", filters: 1, ...c2, padding: "same", activation, kernelInitializer: ones }));
  m.add(
    tf.layers.conv2d({
      name: "c3",
      filters: 1,
      kernelSize: 2,
      strides: 2,
      padding: "valid",
      activation,
      kernelInitializer: ones,
    }),
  );
  m.add(
    tf.layers.conv2d({ name: "c4", filters: 1, kernelSize: 3, strides: 2, padding: "same", activation, kernelInitializer: ones }),
  );
  m.add(tf.layers.batchNormalization({ name: "bn" }));
  m.add(tf.layers.zeroPadding2d({ name: "zp", padding: 1 }));
  m.add(tf.layers.flatten({ name: "flat" }));
  m.add(tf.layers.dense({ name: "out", units: 2 }));
  return m;
}

const EXPECTED: Record<string, [number, number, number]> = {
  c1: [3, 1, -1],
  p1: [4, 2, -1],
  c2: [12, 2, -5],
  c3: [14, 4, -5],
  c4: [22, 8, -5],
  bn: [22, 8, -5],
  zp: [22, 8, -13],
};

describe("dv.receptiveField", () => {
  before(async () => {
    await dv.backend();
  });

  it("gives the hand-derived size, stride and offset through convs, dilation, pooling, padding modes and zero padding", () => {
    const model = geometryModel("max");
    for (const [layer, [size, stride, offset]] of Object.entries(EXPECTED)) {
      const f = dv.receptiveField(model, layer);
      assert.deepEqual(
        [f.size, f.stride, f.offset],
        [
          [size, size],
          [stride, stride],
          [offset, offset],
        ],
        layer,
      );
    }
    const f = dv.receptiveField(model, "c3");
    assert.deepEqual(f.box([1, 2]), [-1, 3, 13, 17]);
    assert.deepEqual(f.clippedBox([1, 2]), [0, 3, 13, 16]);
    assert.deepEqual(f.inputSize, [16, 16]);
  });

  it("matches the support of each unit's gradient (an independent reference: positive weights, linear units)", async () => {
    // all-ones kernels, average pooling, no ReLU: a unit's gradient is positive on every pixel it sees, zero elsewhere
    const model = geometryModel("average", "linear", false);
    const x = tf.randomUniform([16, 16, 1], 0, 1, "float32", 3);
    for (const layer of ["c1", "p1", "c2", "c3", "c4"]) {
      const side = (model.getLayer(layer).outputShape as number[])[1];
      const f = dv.receptiveField(model, layer);
      assert.deepEqual([f.size[0], f.stride[0], f.offset[0]], EXPECTED[layer], layer);
      for (const position of [
        [0, 0],
        [side - 1, side - 1],
        [Math.floor(side / 2), 1],
      ]) {
        const g = await dv.neuronGradient(model, x, { layer, channel: 0, position });
        const v = g.values.arraySync() as number[][][];
        g.dispose();
        let [top, left, bottom, right] = [16, 16, 0, 0];
        v.forEach((row, y) =>
          row.forEach((px, xx) => {
            if (px[0] === 0) return;
            [top, left, bottom, right] = [Math.min(top, y), Math.min(left, xx), Math.max(bottom, y + 1), Math.max(right, xx + 1)];
          }),
        );
        assert.deepEqual([top, left, bottom, right], f.clippedBox(position), `${layer} at [${position}]`);
      }
    }
    x.dispose();
  });

  it("refuses layers without spatial axes, joins of branches, unknown layers and GraphModels, with DeepVizErrors", async () => {
    const model = geometryModel("max");
    await rejects(() => dv.receptiveField(model, "out"), /no spatial axes: each of its units sees the whole input/);
    await rejects(() => dv.receptiveField(model, "nope"), /no layer named "nope"/);
    const input = tf.input({ shape: [8, 8, 1] });
    const a = tf.layers.conv2d({ name: "a", filters: 1, kernelSize: 3, padding: "same" }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ name: "b", filters: 1, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: "sum" }).apply([a, b]) as tf.SymbolicTensor;
    const branchy = tf.model({ inputs: input, outputs: sum });
    await rejects(() => dv.receptiveField(branchy, "sum"), /chain of single-input layers; sum \(Add\) joins 2 inputs/);
    assert.deepEqual(dv.receptiveField(branchy, "a").size, [3, 3]);
    const graphLike = Object.create(tf.GraphModel.prototype) as tf.GraphModel;
    await rejects(() => dv.receptiveField(graphLike, 0), /GraphModel/);
  });
});
