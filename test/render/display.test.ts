import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { Attribution } from "../../src/attribution";
import { decodePng } from "../../src/render";
import { binCounts, rankTopK } from "../../src/display/plots";
import { SanityCheckResult } from "../../src/methods/sanity-checks";
import { pictureOf } from "../../src/display";
import { noLeak, outPath, throwsDeepViz } from "./helpers";

import { JUPYTER_DISPLAY as JD } from "../../src/core/display-registry";

describe("display", () => {
  before(async () => {
    await dv.backend();
  });

  it("topK: softmax of logits, best first, as a plotly bundle with text fallback", () => {
    const logits = tf.tensor2d([[1, 3, 2, 0]]);
    const rows = noLeak(() => rankTopK(logits, { k: 2, labels: ["cat", "dog", "fox", "owl"] }));
    const z = Math.exp(1) + Math.exp(3) + Math.exp(2) + 1;
    assert.deepEqual(
      rows.map((r) => r.label),
      ["dog", "fox"],
    );
    assert.ok(Math.abs(rows[0].score - Math.exp(3) / z) < 1e-6);
    // probabilities are kept as they are
    assert.equal(rankTopK([0.1, 0.7, 0.2], { k: 1 })[0].score, 0.7);
    const plot = dv.plots.topK(logits, { k: 3, labels: ["cat", "dog", "fox", "owl"] });
    const b = plot[JD]();
    const fig = b["application/vnd.plotly.v1+json"] as { data: Array<{ y: string[] }> };
    assert.deepEqual(fig.data[0].y, ["cat", "fox", "dog"]); // the best on top of a horizontal bar chart
    assert.match(String(b["text/html"]), /Plotly\.newPlot/);
    assert.match(String(b["text/plain"]), /dog\s+0\.6439/);
    throwsDeepViz(() => dv.plots.topK(tf.zeros([2, 4])), /batch of 2/);
    throwsDeepViz(() => dv.plots.topK([1, 2], { labels: ["a"] }), /1 labels for 2 scores/);
    logits.dispose();
  });

  it("histogram bins over [min, max]; lines take a training history", () => {
    const { edges, counts } = binCounts(Float32Array.from([0, 1, 1, 2, 3, 4]), 4);
    assert.deepEqual(edges, [0, 1, 2, 3, 4]);
    assert.deepEqual(counts, [1, 2, 1, 2]); // the maximum falls in the last bin
    const attr = new Attribution(tf.tensor1d([0, 1, 1, 2, 3, 4]), "saliency", tf.zeros([6]), [0], false);
    const h = dv.plots.histogram(attr, { bins: 4 });
    assert.deepEqual((h.data[0] as { y: number[] }).y, [1, 2, 1, 2]);
    assert.match(h.summary, /saliency values: 6 values, min 0\.000, max 4\.000, mean 1\.833/);
    attr.dispose();
    const l = dv.plots.lines({ history: { loss: [0.9, 0.5, 0.3], acc: [0.5, 0.7, 0.8] } }, { title: "training" });
    assert.equal(l.data.length, 2);
    assert.deepEqual((l.data[1] as { x: number[] }).x, [1, 2, 3]);
    throwsDeepViz(() => dv.plots.lines([{ name: "a", y: [1, 2], x: [1] }]), /1 x values for 2 y values/);
  });

  it("model summary: layer, class, output shape, params as an HTML table", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, name: "conv" }),
        tf.layers.flatten({ name: "flat" }),
        tf.layers.dense({ units: 2, name: "out" }),
      ],
    });
    const s = dv.modelSummary(model);
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.className, r.outputShape, r.params]),
      [
        ["conv", "Conv2D", "[null, 6, 6, 4]", 3 * 3 * 3 * 4 + 4],
        ["flat", "Flatten", "[null, 144]", 0],
        ["out", "Dense", "[null, 2]", 144 * 2 + 2],
      ],
    );
    assert.equal(s.totalParams, 112 + 290);
    const b = s[JD]();
    assert.match(String(b["text/html"]), /<td[^>]*>Conv2D<\/td>/);
    assert.match(String(b["text/plain"]), /Total params: 402/);
    fs.writeFileSync(outPath("model-summary.html"), String(b["text/html"]));
    model.dispose();
  });

  it("an Attribution displays itself as a PNG with a text fallback", () => {
    const attr = new Attribution(tf.randomNormal([16, 16, 3], 0, 1, "float32", 4), "saliency", tf.ones([16, 16, 3]), [2], false);
    const b = noLeak(() => attr[JD]());
    assert.match(String(b["text/plain"]), /Attribution\(saliency target=\[2\]/);
    const png = decodePng(Buffer.from(String(b["image/png"]), "base64"));
    assert.ok(png.width > 16 && png.height > 16); // titled, with a colour bar
    attr.dispose();
  });

  it("show outside a notebook writes a PNG and returns its path; save picks the format by extension", () => {
    const dir = path.dirname(outPath("x"));
    process.env.DEEPVIZ_OUTPUT_DIR = dir;
    const img = tf.tidy(() => tf.linspace(0, 1, 48).reshape([4, 4, 3]));
    const file = noLeak(() => dv.show(img, { name: "shown-image" })) as string;
    assert.equal(file, path.join(dir, "shown-image.png"));
    const back = decodePng(fs.readFileSync(file));
    assert.deepEqual([back.width, back.height], [4 * 16, 4 * 16]); // enlarged ×16 for viewing, pixels kept sharp
    assert.deepEqual(Array.from(back.data.subarray(0, 4)), [0, Math.round(255 / 47), Math.round(510 / 47), 255]);
    assert.deepEqual(Array.from(back.data.subarray(15 * 4, 16 * 4)), [0, Math.round(255 / 47), Math.round(510 / 47), 255]);
    assert.deepEqual(Array.from(back.data.subarray(16 * 4, 17 * 4)), [
      Math.round(765 / 47),
      Math.round(1020 / 47),
      Math.round(1275 / 47),
      255,
    ]);
    const acts = tf.randomUniform([1, 6, 6, 5]);
    const fm = noLeak(() => dv.show(acts, { name: "shown-maps" })) as string;
    assert.ok(fs.existsSync(fm));
    const plotFile = dv.show(dv.plots.lines({ loss: [3, 2, 1] }), { name: "shown-plot" }) as string;
    assert.ok(plotFile.endsWith(".html") && fs.readFileSync(plotFile, "utf8").includes("window.Plotly"));
    assert.equal(dv.save(outPath("saved.png"), img), outPath("saved.png"));
    assert.deepEqual(decodePng(fs.readFileSync(outPath("saved.png"))).width, 4);
    dv.save(outPath("saved.json"), dv.plots.topK([0.2, 0.8]));
    assert.equal(JSON.parse(fs.readFileSync(outPath("saved.json"), "utf8")).data[0].type, "bar");
    throwsDeepViz(() => dv.save(outPath("plot.png"), dv.plots.topK([0.2, 0.8])), /save it as \.html or \.json/);
    throwsDeepViz(() => dv.save(outPath("x.gif"), img), /use a \.png, \.html or \.json/);
    throwsDeepViz(() => dv.show(tf.zeros([5])), /dv\.plots\.topK/);
    throwsDeepViz(() => dv.show(42), /got number/);
    tf.dispose([img, acts]);
    delete process.env.DEEPVIZ_OUTPUT_DIR;
  });

  it("show hands the whole bundle to the kernel's comm manager when one is published", () => {
    const key = Symbol.for("deepviz.kernel.commManager");
    const got: Array<Record<string, unknown>> = [];
    (globalThis as Record<symbol, unknown>)[key] = { display: (b: Record<string, unknown>) => got.push(b) };
    try {
      assert.equal(dv.inNotebook(), true);
      const plot = dv.plots.histogram([1, 2, 3]);
      assert.equal(dv.show(plot), undefined);
      assert.deepEqual(Object.keys(got[0]).sort(), ["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
    } finally {
      delete (globalThis as Record<symbol, unknown>)[key];
    }
    assert.equal(dv.inNotebook(), false);
  });

  it("attributions of vector inputs show as bars per feature; a display hook never throws", () => {
    const attr = new Attribution(tf.tensor1d([0.5, -0.25, 1]), "integratedGradients", tf.zeros([3]), [0], false);
    const b = noLeak(() => attr[JD]());
    const fig = b["application/vnd.plotly.v1+json"] as { data: Array<{ y: number[]; marker: { color: string[] } }> };
    assert.deepEqual(fig.data[0].y, [0.5, -0.25, 1]);
    assert.deepEqual(fig.data[0].marker.color, ["#238b45", "#cb181d", "#238b45"]);
    assert.match(String(b["text/plain"]), /^Attribution\(integratedGradients/);
    attr.dispose();
    const batch = new Attribution(tf.zeros([2, 3]), "saliency", tf.zeros([2, 3]), [0, 1], true);
    assert.deepEqual(Object.keys(batch[JD]()), ["text/plain"]); // cannot be drawn as one picture: text stays
    throwsDeepViz(() => dv.show(batch), /batch of 2 vectors/);
    batch.dispose();
  });

  it("a layer's activations show as feature maps, a generated image as an image, a sanity check as lines", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 6, kernelSize: 3, padding: "same", activation: "relu", name: "conv" }),
        tf.layers.globalAveragePooling2d({ name: "gap" }),
        tf.layers.dense({ units: 2, name: "out" }),
      ],
    });
    const x = tf.randomUniform([8, 8, 3], 0, 1, "float32", 5);
    const acts = await dv.layerActivation(model, x, { layer: "conv" });
    const before = tf.memory().numTensors;
    const grid = dv.render.featureMaps(acts.values, { title: "conv (layerActivation)" });
    const png = decodePng(Buffer.from(String(acts[JD]()["image/png"]), "base64"));
    assert.deepEqual([png.width, png.height], [grid.width, grid.height]); // the same 6-tile grid
    assert.equal(tf.memory().numTensors, before);
    acts.dispose();
    const generated = new Attribution(
      tf.tensor3d([-2, 0, 2, 4], [2, 2, 1]),
      "activationMaximization",
      tf.zeros([2, 2, 1]),
      [1],
      false,
    );
    const pic = dv.render.image(generated.values, { rescale: true });
    assert.deepEqual(
      [pic.pixel(0, 0), pic.pixel(1, 1)],
      [
        [0, 0, 0, 255],
        [255, 255, 255, 255],
      ],
    );
    assert.equal(decodePng(Buffer.from(String(generated[JD]()["image/png"]), "base64")).width, 2 * 16);
    generated.dispose();
    const r = new SanityCheckResult("saliency", "cascading", ["out", "conv"], [0.9, 0.1], [0.5, 0.0], [0.8, 0.2]);
    const fig = r[JD]()["application/vnd.plotly.v1+json"] as { data: Array<{ x: string[]; y: number[] }> };
    assert.equal(fig.data.length, 3);
    assert.deepEqual(fig.data[0].x, ["out", "conv"]);
    assert.deepEqual(fig.data[2].y, [0.8, 0.2]);
    tf.dispose([x]);
    model.dispose();
  });

  it("class activation maps default to jet over the colour image", () => {
    const cam = new Attribution(
      tf.ones([1, 1, 1]),
      "gradCam",
      tf.tensor3d([1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0], [2, 2, 3]),
      [0],
      false,
      { layer: "c" },
    );
    const pic = noLeak(() => pictureOf(cam, { colorbar: false }))!;
    // jet(1) = (128, 0, 0) at α 0.5 over red (255, 0, 0): 191.5 rounds to even
    assert.deepEqual(pic.pixel(1, 1), [192, 0, 0, 255]);
    const sal = new Attribution(tf.ones([2, 2, 3]), "saliency", tf.zeros([2, 2, 3]), [0], false);
    assert.deepEqual(pictureOf(sal, { colorbar: false })!.pixel(0, 0), [4, 24, 54, 255]); // blues(1) / 2 over black
    cam.dispose();
    sal.dispose();
  });

  it("bundleOf: dv.show's way refuses what it cannot draw; a cell's way shows it as text, and a tensor as a cell would", () => {
    throwsDeepViz(() => dv.bundleOf(42), /dv.show draws attributions, pictures, plots, tensors and models; got number/);
    throwsDeepViz(() => dv.bundleOf({ a: 1 }), /got Object/);
    assert.deepEqual(dv.bundleOf(42, { as: "cell" }), { "text/plain": "42" });
    assert.deepEqual(dv.bundleOf({ a: [1, { b: 2 }] }, { as: "cell" }), { "text/plain": "{ a: [ 1, { b: 2 } ] }" });
    assert.deepEqual(dv.bundleOf("hi", { as: "cell" }), dv.bundleOf("hi"));
    const t = tf.ones([8, 8, 3]);
    assert.ok("image/png" in dv.bundleOf(t)); // drawn by dv.show
    const cell = dv.bundleOf(t, { as: "cell" });
    assert.deepEqual(Object.keys(cell), ["text/plain"]);
    assert.match(String(cell["text/plain"]), /Tensor/);
    t.dispose();
  });
});
