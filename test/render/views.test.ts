import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../../src/attribution";
import { backend } from "../../src";
import * as render from "../../src/render";
import { noLeak, outPath, throwsDeepViz } from "./helpers";

const img = (h: number, w: number, rgb: [number, number, number]) => ({
  height: h,
  width: w,
  channels: 3,
  data: Float32Array.from({ length: h * w * 3 }, (_, i) => rgb[i % 3]),
});
const norm = (data: number[], width = data.length) => ({ height: 1, width, data: Float32Array.from(data) });
const px = (r: render.RGBA, p: number) => Array.from(r.data.subarray(p * 4, p * 4 + 4));

describe("render/views", () => {
  before(async () => {
    await backend();
  });

  it("heat map: normalized values through the colormap, opaque", () => {
    const out = render.heatmapRGBA(norm([0, 0.5, 1]), render.colormap("blues"), "absolute");
    assert.deepEqual(px(out, 0), [0xf7, 0xfb, 0xff, 255]);
    assert.deepEqual(px(out, 1), [0x6b, 0xae, 0xd6, 255]);
    assert.deepEqual(px(out, 2), [0x08, 0x30, 0x6b, 255]);
    const div = render.heatmapRGBA(norm([-1, 0, 1]), render.colormap("redWhiteGreen"), "all");
    assert.deepEqual(
      [px(div, 0), px(div, 1), px(div, 2)],
      [
        [255, 0, 0, 255],
        [255, 255, 255, 255],
        [0, 128, 0, 255],
      ],
    );
  });

  it("blended: (1 − α)·grey image + α·heat", () => {
    const image = img(1, 2, [0.2, 0.4, 0.6]); // grey = mean = 0.4 → 102
    const out = render.blendedRGBA(image, norm([1, 0], 2), render.colormap("blues"), "absolute", 0.5);
    assert.deepEqual(px(out, 0), [Math.round(51 + 4), Math.round(51 + 24), Math.round(51 + 53.5), 255]);
    const colour = render.blendedRGBA(image, norm([1, 0], 2), render.colormap("blues"), "absolute", 0.25, false);
    // 0.75·(51, 102, 153) + 0.25·(8, 48, 107)
    assert.deepEqual(px(colour, 0), [Math.round(38.25 + 2), Math.round(76.5 + 12), Math.round(114.75 + 26.75), 255]);
  });

  it("masked image and alpha scaling weight the image by the map", () => {
    const image = img(1, 2, [0.2, 0.4, 0.6]);
    const m = render.maskedRGBA(image, norm([0.25, 1], 2), "absolute");
    assert.deepEqual(px(m, 0), [13, 26, 38, 255]);
    assert.deepEqual(px(m, 1), [51, 102, 153, 255]);
    const a = render.alphaScalingRGBA(image, norm([0.25, 1], 2), "positive");
    assert.deepEqual(px(a, 0), [51, 102, 153, 64]);
    throwsDeepViz(() => render.maskedRGBA(image, norm([0, 1], 2), "all"), /one-signed weights/);
    throwsDeepViz(() => render.blendedRGBA(image, norm([0, 1, 1]), render.colormap("gray"), "absolute"), /upsample the map/);
  });

  it("images: 0–255 divided by 255, preprocessed [−1, 1] stretched to [0, 1]", () => {
    const bytes = tf.tensor3d([0, 51, 255, 255, 102, 0], [1, 2, 3]);
    assert.deepEqual(Array.from(render.image(bytes).data), [0, 51, 255, 255, 255, 102, 0, 255]);
    const signed = tf.tensor3d([-1, 0, 1], [1, 3, 1]);
    assert.deepEqual(Array.from(render.image(signed).data), [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]);
    throwsDeepViz(() => render.image(tf.zeros([2, 2, 2])), /2 channels; an image needs 1 \(grey\), 3 \(RGB\) or 4/);
    tf.dispose([bytes, signed]);
  });

  it("renders an Attribution: default blended view over its input, no tensors leaked", () => {
    const input = tf.fill([4, 4, 3], 0.4) as tf.Tensor3D;
    // channel sums: pixel 0 → 8, the others → 2 (outlierPerc 2: scale 8 since 8 alone is > 2 % of 38)
    const values = tf.tidy(() =>
      tf
        .ones([4, 4, 3])
        .mul(2 / 3)
        .add(tf.scatterND([[0, 0, 0]], [6], [4, 4, 3])),
    );
    const attr = new Attribution(values, "saliency", input, [1], false);
    const pic = noLeak(() => render.attribution(attr));
    assert.equal(pic.width, 4);
    assert.equal(pic.height, 4);
    // pixel 0: normalized 1 → blues(1) = (8, 48, 107) over grey 102
    assert.deepEqual(pic.pixel(0, 0), [Math.round(51 + 4), Math.round(51 + 24), Math.round(51 + 53.5), 255]);
    const heat = noLeak(() => render.attribution(attr, { view: "heatmap", sign: "positive" }));
    assert.deepEqual(heat.pixel(0, 0), [0x00, 0x44, 0x1b, 255]); // greens(1)
    const orig = noLeak(() => render.attribution(attr, { view: "original" }));
    assert.deepEqual(orig.pixel(3, 3), [102, 102, 102, 255]);
    attr.dispose();
  });

  it("upsamples a layer-sized map (Grad-CAM 2×2) to its 4×4 image", () => {
    const input = tf.zeros([4, 4, 3]);
    const cam = tf.tensor3d([0, 1, 2, 3], [2, 2, 1]);
    const attr = new Attribution(cam, "gradCam", input, [0], false, { layer: "conv" });
    const pic = noLeak(() =>
      render.attribution(attr, { view: "heatmap", normalize: "minmax", cmap: "gray", upsample: "nearest" }),
    );
    assert.equal(pic.width, 4);
    // nearest: the bottom-right quadrant holds 3 → white, the top-left 0 → black
    assert.deepEqual(pic.pixel(3, 3), [255, 255, 255, 255]);
    assert.deepEqual(pic.pixel(0, 0), [0, 0, 0, 255]);
    assert.deepEqual(pic.pixel(2, 0), [85, 85, 85, 255]); // 1/3
    attr.dispose();
  });

  it("draws a batch side by side with titles and colour bars", () => {
    const input = tf.randomUniform([2, 32, 32, 3], 0, 1, "float32", 1);
    const values = tf.randomNormal([2, 32, 32, 3], 0, 1, "float32", 2);
    const attr = new Attribution(values, "integratedGradients", input, [3, 5], true);
    const pic = noLeak(() => render.attribution(attr, { sign: "all", colorbar: true, size: 128 }));
    assert.ok(pic.width > 2 * 128 && pic.height > 128);
    pic.save(outPath("batch-ig-all.png"));
    const one = noLeak(() => render.attribution(attr, { index: 1 }));
    assert.equal(one.width, 32);
    throwsDeepViz(() => render.attribution(attr, { index: 2 }), /index 2 is out of range/);
    throwsDeepViz(() => render.attribution(tf.zeros([2, 2, 2, 2, 2])), /expected \[height, width\]/);
    throwsDeepViz(() => render.attribution(attr, { view: "masked", sign: "all" }), /one-signed/);
    throwsDeepViz(() => render.attribution(tf.ones([3, 3]), { view: "blended" }), /needs the image/);
    attr.dispose();
  });
});

describe("render/views gallery (pictures for a person to check)", () => {
  before(async () => {
    await backend();
  });

  it("every view and sign on one sheet, at the image's aspect ratio", () => {
    // a 96×128 "photo": sky gradient, a dark disc; the map is a signed blob on the disc
    const [H, W] = [96, 128];
    const image = tf.tidy(() => {
      const yy = tf.linspace(0, 1, H).reshape([H, 1]).tile([1, W]);
      const xx = tf.linspace(0, 1, W).reshape([1, W]).tile([H, 1]);
      const disc = xx.sub(0.6).square().mul(1.7).add(yy.sub(0.55).square()).less(0.06).cast("float32");
      const sky = tf.stack([yy.mul(0.3).add(0.4), yy.mul(0.2).add(0.6), tf.onesLike(yy).mul(0.9)], 2);
      return sky.mul(tf.scalar(1).sub(disc.expandDims(2))).add(disc.expandDims(2).mul(tf.tensor1d([0.55, 0.3, 0.15])));
    });
    const values = tf.tidy(() => {
      const yy = tf.linspace(-1, 1, H).reshape([H, 1]).tile([1, W]);
      const xx = tf.linspace(-1, 1, W).reshape([1, W]).tile([H, 1]);
      const pos = tf.exp(xx.sub(0.2).square().add(yy.sub(0.1).square()).mul(-12));
      const neg = tf.exp(xx.add(0.5).square().add(yy.add(0.4).square()).mul(-20)).mul(0.6);
      return pos
        .sub(neg)
        .add(tf.randomNormal([H, W], 0, 0.03, "float32", 7))
        .expandDims(2)
        .tile([1, 1, 3]);
    });
    const attr = new Attribution(values, "saliency", image, [0], false);
    const panels: render.Panel[] = [];
    const add = (title: string, o: render.AttributionViewOptions) => {
      const r = render.renderItem(render.toHWC(values), render.toImage(image), o);
      panels.push({ image: r.rgba, title, colorbar: r.colorbar });
    };
    panels.push({ image: render.attribution(attr, { view: "original" }), title: "original" });
    for (const sign of ["absolute", "positive", "negative", "all"] as const) add(`heat map, ${sign}`, { view: "heatmap", sign });
    add("blended, absolute", { view: "blended" });
    add("blended, all, colour", { view: "blended", sign: "all", greyscale: false });
    add("masked, positive", { view: "masked", sign: "positive" });
    add("alpha scaling, absolute", { view: "alphaScaling" });
    add("heat map, viridis", { view: "heatmap", cmap: "viridis", normalize: "minmax" });
    add("heat map, jet", { view: "heatmap", cmap: "jet", normalize: "minmax" });
    add("heat map, RdBu", { view: "heatmap", cmap: "RdBu", sign: "all" });
    const sheet = noLeak(() =>
      render.composeGrid(panels, { columns: 4, cell: 160, title: "Views and signs (Captum's defaults)" }),
    );
    const L = render.gridLayout(panels, { columns: 4, cell: 160, title: "x" });
    assert.deepEqual([sheet.width, sheet.height], [L.width, L.height]);
    assert.deepEqual([L.tiles[0].w, L.tiles[0].h], [160, 120]); // 4:3 kept
    sheet.save(outPath("views-gallery.png"));
    attr.dispose();
  });
});
