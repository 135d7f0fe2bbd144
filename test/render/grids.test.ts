import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../../src/attribution";
import { backend } from "../../src";
import * as render from "../../src/render";
import { noLeak, outPath, throwsDeepViz } from "./helpers";

function solid(width: number, height: number, rgb: [number, number, number]): render.RGBA {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) data.set([...rgb, 255], p * 4);
  return { width, height, data };
}

describe("render/grids", () => {
  before(async () => {
    await backend();
  });

  it("places tiles by the layout, keeping aspect ratio and integer enlargement", () => {
    const colours: Array<[number, number, number]> = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ];
    const panels = colours.map((c) => ({ image: solid(10, 20, c) }));
    const L = render.gridLayout(panels, { columns: 2, cell: 40, gap: 8 });
    assert.equal(L.width, 8 + 2 * (40 + 8));
    assert.equal(L.height, 8 + 2 * (40 + 8));
    // 10×20 fits a 40 box as 20×40, centred horizontally
    assert.deepEqual(L.tiles, [
      { x: 18, y: 8, w: 20, h: 40 },
      { x: 66, y: 8, w: 20, h: 40 },
      { x: 18, y: 56, w: 20, h: 40 },
    ]);
    const pic = render.composeGrid(panels, { columns: 2, cell: 40, gap: 8 });
    assert.equal(pic.width, L.width);
    L.tiles.forEach((t, i) => {
      assert.deepEqual(pic.pixel(t.x, t.y), [...colours[i], 255]);
      assert.deepEqual(pic.pixel(t.x + t.w - 1, t.y + t.h - 1), [...colours[i], 255]);
      assert.deepEqual(pic.pixel(t.x - 1, t.y + 5), [255, 255, 255, 255]); // white margin beside each tile
    });
    assert.deepEqual(pic.pixel(90, 80), [255, 255, 255, 255]); // the empty fourth cell
  });

  it("feature maps: one tile per channel, each normalized alone or all together", () => {
    // 2×2 maps; channel k holds [0, 1, 2, 3] + 10k
    const act = tf.tidy(() => tf.tensor3d([0, 1, 2, 3], [2, 2, 1]).add(tf.tensor1d([0, 10, 20])));
    const each = noLeak(() => render.featureMaps(act, { cell: 20, columns: 3, titles: false }));
    const L = render.gridLayout(
      [0, 1, 2].map(() => ({ image: solid(2, 2, [0, 0, 0]) })),
      { columns: 3, cell: 20, gap: 4 },
    );
    assert.equal(each.width, L.width);
    assert.equal(each.height, L.height);
    const v = render.colormap("viridis");
    for (const t of L.tiles) {
      assert.deepEqual(each.pixel(t.x + 2, t.y + 2), [...v.rgb(0), 255]); // top-left = each tile's min
      assert.deepEqual(each.pixel(t.x + 15, t.y + 15), [...v.rgb(1), 255]); // bottom-right = its max
    }
    const together = noLeak(() => render.featureMaps(act, { cell: 20, columns: 3, titles: false, normalize: "together" }));
    assert.deepEqual(together.pixel(L.tiles[0].x + 2, L.tiles[0].y + 2), [...v.rgb(0), 255]);
    assert.deepEqual(together.pixel(L.tiles[1].x + 2, L.tiles[1].y + 2), [...v.rgb(10 / 23), 255]);
    assert.deepEqual(together.pixel(L.tiles[2].x + 15, L.tiles[2].y + 15), [...v.rgb(1), 255]);
    const chosen = noLeak(() => render.featureMaps(act, { channels: [2], cell: 20, titles: false }));
    assert.equal(chosen.width, 4 + 20 + 4);
    throwsDeepViz(() => render.featureMaps(act, { channels: [3] }), /Channel 3 does not exist: this layer has channels 0..2/);
    throwsDeepViz(() => render.featureMaps(tf.zeros([4, 10])), /Dense layers have no spatial maps/);
    act.dispose();
  });

  it("a real layer's 32 feature maps look like a legible grid", () => {
    const act = tf.tidy(() => {
      const x = tf.linspace(0, 1, 28 * 28).reshape([28, 28, 1]);
      return tf.concat(
        Array.from({ length: 32 }, (_, k) => tf.sin(x.mul(k + 1).mul(6))),
        2,
      );
    });
    const pic = noLeak(() => render.featureMaps(act, { title: "conv1 activations" }));
    pic.save(outPath("feature-maps-32.png"));
    act.dispose();
  });

  it("first-layer filters as RGB tiles; deeper filters per input channel", () => {
    // kernel [1, 2, 3, 2]: filter f, input channel i, column x → value (x + 1) * (i + 1) * (f ? -1 : 1)
    const vals: number[] = [];
    for (let x = 0; x < 2; x++)
      for (let i = 0; i < 3; i++) for (let f = 0; f < 2; f++) vals.push((x + 1) * (i + 1) * (f ? -1 : 1));
    const k = tf.tensor4d(vals, [1, 2, 3, 2]);
    const rgb = noLeak(() => render.filters(k, { cell: 20, titles: false, gap: undefined } as render.FilterOptions));
    const L = render.gridLayout(
      [0, 1].map(() => ({ image: solid(2, 1, [0, 0, 0]) })),
      { columns: 2, cell: 20, gap: 4 },
    );
    // filter 0 ranges 1..6: pixel x=0 holds (1, 2, 3) → (0, 51, 102); x=1 holds (2, 4, 6) → (51, 153, 255)
    assert.deepEqual(rgb.pixel(L.tiles[0].x + 2, L.tiles[0].y + 2), [0, 51, 102, 255]);
    assert.deepEqual(rgb.pixel(L.tiles[0].x + 15, L.tiles[0].y + 2), [51, 153, 255, 255]);
    // filter 1 is the negative: −6..−1 → x=0 holds (−1, −2, −3) → (255, 204, 153)
    assert.deepEqual(rgb.pixel(L.tiles[1].x + 2, L.tiles[1].y + 2), [255, 204, 153, 255]);
    const per = noLeak(() => render.filters(k, { inputChannels: [0, 2], cell: 20, titles: false }));
    const L2 = render.gridLayout(
      [0, 1, 2, 3].map(() => ({ image: solid(2, 1, [0, 0, 0]) })),
      { columns: 2, cell: 20, gap: 4 },
    );
    assert.equal(per.height, L2.height);
    // filter 0, input 2: values 3, 6 → black then white in gray
    assert.deepEqual(per.pixel(L2.tiles[1].x + 2, L2.tiles[1].y + 2), [0, 0, 0, 255]);
    assert.deepEqual(per.pixel(L2.tiles[1].x + 15, L2.tiles[1].y + 2), [255, 255, 255, 255]);
    throwsDeepViz(() => render.filters(tf.zeros([3, 3])), /conv kernel \[kh, kw, inChannels, outChannels\]/);
    k.dispose();

    const conv1 = tf.layers.conv2d({ filters: 16, kernelSize: 5, inputShape: [28, 28, 3] });
    conv1.build([null, 28, 28, 3]);
    noLeak(() => render.filters(conv1, { title: "conv1 filters" })).save(outPath("filters-rgb.png"));
    const conv2 = tf.layers.conv2d({ filters: 4, kernelSize: 3 });
    conv2.build([null, 26, 26, 8]);
    noLeak(() => render.filters(conv2, { inputChannels: 6, title: "conv2 filters per input channel" })).save(
      outPath("filters-deep.png"),
    );
    tf.dispose([...conv1.getWeights(), ...conv2.getWeights()]);
  });

  it("comparison row: image | maps, titled, with colour bars", () => {
    const image = tf.tidy(() => {
      const yy = tf.linspace(0, 1, 64).reshape([64, 1, 1]).tile([1, 96, 1]);
      const xx = tf.linspace(0, 1, 96).reshape([1, 96, 1]).tile([64, 1, 1]);
      return tf.concat([xx, yy, xx.mul(yy)], 2);
    });
    const blob = tf.tidy(() => {
      const yy = tf.linspace(-1, 1, 64).reshape([64, 1]).tile([1, 96]);
      const xx = tf.linspace(-1.5, 1.5, 96).reshape([1, 96]).tile([64, 1]);
      return tf.exp(xx.sub(0.4).square().add(yy.square()).mul(-4)).expandDims(2);
    });
    const a = new Attribution(blob.tile([1, 1, 3]), "saliency", image.clone(), [0], false);
    const b = new Attribution(
      blob.mul(-1).add(tf.randomNormal([64, 96, 1], 0, 0.1, "float32", 3)),
      "integratedGradients",
      image.clone(),
      [0],
      false,
    );
    const c = new Attribution(tf.tensor3d([0, 1, 2, 3, 4, 5], [2, 3, 1]), "gradCam", image.clone(), [0], false, {
      layer: "conv2d_2",
    });
    const pic = noLeak(() =>
      render.compare(image, [a, { values: b, sign: "all", title: "IG (signed)" }, { values: c, view: "blended", cmap: "jet" }], {
        cell: 160,
      }),
    );
    const bar = { cmap: render.colormap("gray"), lo: 0, hi: 1 };
    // the image has no colour bar, the three maps have one
    const L = render.gridLayout(
      [0, 1, 2, 3].map((i) => ({ image: solid(96, 64, [0, 0, 0]), title: "t", colorbar: i ? bar : undefined })),
      { columns: 4, cell: 160 },
    );
    assert.ok(L.tiles[1].x - L.tiles[0].x < L.tiles[2].x - L.tiles[1].x);
    assert.equal(pic.width, L.width);
    assert.equal(pic.height, L.height);
    // 96×64 keeps its 3:2 shape: 160×107 (not stretched to a square)
    assert.deepEqual([L.tiles[0].w, L.tiles[0].h], [160, 107]);
    // the image tile's top-left pixel is the image's (0, 0, 0)
    assert.deepEqual(pic.pixel(L.tiles[0].x, L.tiles[0].y), [0, 0, 0, 255]);
    pic.save(outPath("compare-row.png"));
    tf.dispose([image, blob]);
    [a, b, c].forEach((x) => x.dispose());
  });

  it("comparison with a shared range: one colour means one value across maps", () => {
    const image = tf.zeros([2, 2, 3]);
    const a = tf.tensor3d([8, 0, 0, 0], [2, 2, 1]);
    const b = tf.tensor3d([2, 0, 0, 0], [2, 2, 1]);
    const opts = { showImage: false, colorbar: false, cmap: "gray" as const, normalize: "minmax" as const, cell: 4, gap: 2 };
    const L = render.gridLayout(
      [0, 1].map(() => ({ image: solid(2, 2, [0, 0, 0]), title: "" })),
      { columns: 2, cell: 4, gap: 2 },
    );
    const alone = noLeak(() => render.compare(image, [{ values: a }, { values: b }], opts));
    assert.deepEqual(alone.pixel(L.tiles[1].x, L.tiles[1].y), [255, 255, 255, 255]);
    const shared = noLeak(() => render.compare(image, [{ values: a }, { values: b }], { ...opts, shareRange: true }));
    assert.deepEqual(shared.pixel(L.tiles[0].x, L.tiles[0].y), [255, 255, 255, 255]);
    assert.deepEqual(shared.pixel(L.tiles[1].x, L.tiles[1].y), [64, 64, 64, 255]); // 2 of 8
    throwsDeepViz(() => render.compare(image, []), /list of attributions/);
    tf.dispose([image, a, b]);
  });
});
