import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { mkdirSync } from "fs";
import { join } from "path";
import * as dv from "../../src";
import { close } from "../helpers/models";
import { attr, conv, GraphBuilder } from "./graph-fixtures";

/**
 * A detector whose gradients are known by hand: heat logits = 4×4 average pooling of a 1×1 conv,
 * class 0 = R − ½G − ½B ("red things"), class 1 = G − ½R − ½B ("green things"); input 32×32, heatmap
 * 8×8×2 behind a Sigmoid. Every heatmap cell's logit has gradient W[:, c] / 16 on its own 4×4 block.
 * A Reshape gives the same scores as 64 anchors [B, 64, 2] for the box+score head targets.
 */
const W = [
  [1, -0.5],
  [-0.5, 1],
  [-0.5, -0.5],
];
async function handDetector(output: "heat" | "anchors") {
  const g = new GraphBuilder();
  g.input("image", [-1, 32, 32, 3]);
  g.op("colour", "Conv2D", ["image", g.constant("w", W.flat(), [1, 1, 3, 2])], { ...conv, explicit_paddings: attr.ints([]) });
  g.op("heat_logits", "AvgPool", ["colour"], {
    ksize: attr.ints([1, 4, 4, 1]),
    strides: attr.ints([1, 4, 4, 1]),
    padding: attr.str("VALID"),
    data_format: attr.str("NHWC"),
  });
  g.op("heat", "Sigmoid", ["heat_logits"]);
  g.op("anchor_logits", "Reshape", ["heat_logits", g.constant("shape", [-1, 64, 2], [3], "int32")], {
    Tshape: { type: "DT_INT32" },
  });
  g.op("anchors", "Sigmoid", ["anchor_logits"]);
  const model = await g.build({ inputs: ["image"], outputs: [output] });
  g.dispose();
  return model;
}

/** A grey scene with a red square (rows 4–11, cols 4–11) and a green one (rows 20–27, cols 16–27). */
function scene(): tf.Tensor3D {
  return tf.tidy(() => {
    const px = new Float32Array(32 * 32 * 3).fill(0.5);
    const paint = (r0: number, r1: number, c0: number, c1: number, rgb: number[]) => {
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) rgb.forEach((v, k) => (px[(r * 32 + c) * 3 + k] = v));
    };
    paint(4, 11, 4, 11, [0.9, 0.1, 0.1]);
    paint(20, 27, 16, 27, [0.1, 0.9, 0.1]);
    return tf.tensor3d(px, [32, 32, 3]);
  });
}

/** The hand gradient: W[:, c] / 16 on the 4×4 blocks of the given heatmap cells, times a weight per cell. */
function handGradient(c: number, cells: Array<[number, number, number?]>): Float32Array {
  const g = new Float32Array(32 * 32 * 3);
  for (const [row, col, weight = 1] of cells) {
    for (let r = row * 4; r < row * 4 + 4; r++)
      for (let q = col * 4; q < col * 4 + 4; q++) for (let k = 0; k < 3; k++) g[(r * 32 + q) * 3 + k] += (weight * W[k][c]) / 16;
  }
  return g;
}

describe("targets for detection, segmentation and regression", () => {
  let heat: tf.GraphModel, anchors: tf.GraphModel, x: tf.Tensor3D;
  before(async () => {
    await dv.backend();
    heat = await handDetector("heat");
    anchors = await handDetector("anchors");
    x = scene();
  });
  after(() => {
    heat.dispose();
    anchors.dispose();
    x.dispose();
  });
  const grad = async (model: tf.GraphModel, target: dv.Target) => {
    const a = await dv.saliency(model, x, { target, abs: false });
    const v = a.values.dataSync().slice();
    a.dispose();
    return v;
  };

  it("heatmapPoint: the score of one class at one cell; its gradient is that cell's block only", async () => {
    close(await grad(heat, dv.targets.heatmapPoint(0, 0.2, 0.3)), handGradient(0, [[1, 2]]), 1e-6); // y 0.2 → row 1, x 0.3 → col 2
  });

  it("heatmapBox: the sum over the cells centred in the box", async () => {
    // rows with centres (r + ½)/8 in [0.1, 0.4]: 1, 2; columns in [0.1, 0.45]: 1, 2, 3
    const cells: Array<[number, number]> = [
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
      [2, 2],
      [2, 3],
    ];
    close(await grad(heat, dv.targets.heatmapBox(0, [0.1, 0.1, 0.4, 0.45])), handGradient(0, cells), 1e-6);
  });

  it("heatmapPeak: each class peaks on its own square, and the gradient stays there", async () => {
    const out = tf.tidy(() => dv.forward(heat, x.expandDims(0)).output);
    const red = dv.targets.heatmapPeakOf(out, 0),
      green = dv.targets.heatmapPeakOf(out, 1);
    assert.ok(red.row >= 1 && red.row <= 2 && red.col >= 1 && red.col <= 2, JSON.stringify(red));
    assert.ok(green.row >= 5 && green.row <= 6 && green.col >= 4 && green.col <= 6, JSON.stringify(green));
    close(await grad(heat, dv.targets.heatmapPeak(0)), handGradient(0, [[red.row, red.col]]), 1e-6);
    // restricted to a box that excludes the red square, the peak moves
    const elsewhere = dv.targets.heatmapPeak(0, [0.5, 0, 1, 1]);
    const g = await grad(heat, elsewhere);
    assert.ok(
      g.slice(0, 16 * 32 * 3).every((v) => v === 0),
      "nothing in the top half",
    );
    out.dispose();
  });

  it("anchorsInBox (box + score heads) equals heatmapBox on the same cells", async () => {
    const centres = Array.from(
      { length: 64 },
      (_, i) => [(Math.floor(i / 8) + 0.5) / 8, ((i % 8) + 0.5) / 8] as [number, number],
    );
    const box: dv.targets.Box = [0.55, 0.45, 0.9, 0.9];
    close(await grad(anchors, dv.targets.anchorsInBox(1, box, centres)), await grad(heat, dv.targets.heatmapBox(1, box)), 1e-6);
  });

  it("segmentation: the class's logits summed over a mask (resized to the output), weights included", async () => {
    const mask = Array.from({ length: 16 }, (_, r) =>
      Array.from({ length: 16 }, (_, c) => (r >= 10 && c >= 8 && c < 14 ? 1 : 0)),
    );
    // the 16×16 mask seen at 8×8: cell (r, c) samples mask row 2r + 1, column 2c + 1
    const cells: Array<[number, number]> = [];
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) if (mask[2 * r + 1][2 * c + 1]) cells.push([r, c]);
    assert.equal(cells.length, 3 * 3);
    close(await grad(heat, dv.targets.segmentation(1, mask)), handGradient(1, cells), 1e-6);
  });

  it("unit: one output unit of any shape (regression), the same as the heatmap cell it names", async () => {
    close(await grad(heat, dv.targets.unit(6, 5, 1)), handGradient(1, [[6, 5]]), 1e-6);
    close(await grad(anchors, dv.targets.unit(6 * 8 + 5, 1)), handGradient(1, [[6, 5]]), 1e-6);
  });

  it("bad targets are DeepVizErrors", async () => {
    assert.throws(() => dv.targets.heatmapBox(0, [0.5, 0.5, 0.2, 0.9]), /bottom > top/);
    await assert.rejects(
      () => dv.saliency(heat, x, { target: dv.targets.heatmapPoint(2, 0.5, 0.5) }),
      /class 2 is out of range; the output has 2 channels/,
    );
    await assert.rejects(
      () => dv.saliency(anchors, x, { target: dv.targets.heatmapBox(0, [0, 0, 1, 1]) }),
      /needs a heatmap output/,
    );
    await assert.rejects(
      () => dv.saliency(heat, x, { target: dv.targets.unit(8, 0, 0) }),
      /outside the output's shape \[8, 8, 2\]/,
    );
  });

  it("pictures: Grad-CAM and saliency for the red box and the green box each light their own square", async () => {
    const red = dv.targets.heatmapBox(0, [0.1, 0.1, 0.4, 0.4]),
      green = dv.targets.heatmapBox(1, [0.6, 0.5, 0.9, 0.9]);
    const maps = [];
    for (const target of [red, green]) {
      maps.push(await dv.gradCam(heat, x, { layer: "colour", target }));
      maps.push(await dv.saliency(heat, x, { target }));
    }
    // numbers first: each saliency's mass lies inside its own square
    const inside = (a: dv.Attribution, r0: number, r1: number, c0: number, c1: number) =>
      tf.tidy(() => {
        const m = tf.sum(tf.abs(a.values), -1);
        return tf.sum(tf.slice(m, [r0, c0], [r1 - r0 + 1, c1 - c0 + 1])).dataSync()[0] / tf.sum(m).dataSync()[0];
      });
    assert.ok(inside(maps[1], 3, 12, 3, 12) > 0.99);
    assert.ok(inside(maps[3], 19, 28, 15, 28) > 0.99);
    const dir = join(__dirname, "..", "..", "test-output");
    mkdirSync(dir, { recursive: true });
    dv.render
      .compare(
        x,
        maps.map((a, i) => ({ values: a, title: `${i < 2 ? "red box" : "green box"} ${a.method}` })),
      )
      .save(join(dir, "task-targets.png"));
    maps.forEach((a) => a.dispose());
  });
});
