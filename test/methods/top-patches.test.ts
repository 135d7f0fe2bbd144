import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { noLeaks, rejects } from "../metrics/helpers";

/**
 * 6×6×1 → conv "c" (3×3 same, relu) with two filters that only look at the centre pixel: filter 0 has
 * weight +1 (it fires on bright pixels, value x), filter 1 weight −1 (it fires on dark ones, value −x).
 */
function centreModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      name: "c",
      inputShape: [6, 6, 1],
      filters: 2,
      kernelSize: 3,
      padding: "same",
      activation: "relu",
      useBias: false,
    }),
  );
  const k = new Float32Array(3 * 3 * 1 * 2);
  k[(1 * 3 + 1) * 2 + 0] = 1;
  k[(1 * 3 + 1) * 2 + 1] = -1;
  m.layers[0].setWeights([tf.tensor4d(k, [3, 3, 1, 2])]);
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 2 }));
  return m;
}

/** Four 6×6 images, zero but for one pixel each: 0.5 at (2,3), 2 at (4,1), 1 at (0,0), −4 at (5,5). */
function images(): tf.Tensor4D {
  const v = new Float32Array(4 * 36);
  const set = (i: number, r: number, c: number, x: number) => (v[i * 36 + r * 6 + c] = x);
  set(0, 2, 3, 0.5);
  set(1, 4, 1, 2);
  set(2, 0, 0, 1);
  set(3, 5, 5, -4);
  return tf.tensor4d(v, [4, 6, 6, 1]);
}

/** One H×W map (channel 0) of item i, as rows. */
const plane = (t: tf.Tensor, i: number) => (t.arraySync() as number[][][][])[i].map((row) => row.map((px) => px[0]));
/** An H×W grid of zeros with `v` at (r, c). */
const spike = (h: number, w: number, r: number, c: number, v: number) =>
  Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => (y === r && x === c ? v : 0)));

describe("dv.topPatches (Zeiler & Fergus's top patches and their projections)", () => {
  before(async () => {
    await dv.backend();
  });

  it("finds each channel's strongest image per image, ranks channels by mean top-k, and crops the receptive field", async () => {
    const model = centreModel();
    const x = images();
    const r = await dv.topPatches(model, x, { layer: "c", channels: 2, k: 2, progress: false });
    // channel 1 (dark pixels): image 3 gives 4 at (5,5); the rest give 0 everywhere, the first image and
    // position win the tie. Mean top-2: 2. Channel 0: image 1 (2 at (4,1)), image 2 (1 at (0,0)): mean 1.5.
    assert.deepEqual(
      r.channels.map((c) => c.channel),
      [1, 0],
    );
    const [dark, bright] = r.channels;
    assert.deepEqual(
      dark.hits.map((h) => [h.image, h.position, h.value, h.box]),
      [
        [3, [5, 5], 4, [4, 4, 7, 7]],
        [0, [0, 0], 0, [-1, -1, 2, 2]],
      ],
    );
    assert.deepEqual(
      bright.hits.map((h) => [h.image, h.position, h.value, h.box]),
      [
        [1, [4, 1], 2, [3, 0, 6, 3]],
        [2, [0, 0], 1, [-1, -1, 2, 2]],
      ],
    );
    assert.deepEqual(r.field.size, [3, 3]);
    // each patch is the 3×3 window around the hit, zeros where it leaves the image: the pixel sits in the middle
    assert.deepEqual(r.channels[1].patches.shape, [2, 3, 3, 1]);
    assert.deepEqual(plane(bright.patches, 0), spike(3, 3, 1, 1, 2));
    assert.deepEqual(plane(bright.patches, 1), spike(3, 3, 1, 1, 1));
    assert.deepEqual(plane(dark.patches, 0), spike(3, 3, 1, 1, -4));
    assert.equal(r.images, 4);
    r.dispose();
    x.dispose();
  });

  it("projects one activation back: ∂unit/∂pixel = the kernel's weight there; deconvnet passes a unit that is off, guided does not", async () => {
    const model = centreModel();
    const x = images();
    const r = await dv.topPatches(model, x, {
      layer: "c",
      channels: [0, 1],
      k: 2,
      projections: ["deconvnet", "guided", "normal"],
      progress: false,
    });
    const [bright, dark] = r.channels;
    for (const rule of ["deconvnet", "guided", "normal"] as const) {
      // active units: relu(x[4,1]) → +1 at (4,1); relu(x[0,0]) → +1 at (0,0); relu(−x[5,5]) → −1 at (5,5)
      assert.deepEqual(plane(bright.projections[rule]!, 0), spike(6, 6, 4, 1, 1), rule);
      assert.deepEqual(plane(bright.projections[rule]!, 1), spike(6, 6, 0, 0, 1), rule);
      assert.deepEqual(plane(dark.projections[rule]!, 0), spike(6, 6, 5, 5, -1), rule);
    }
    // image 0's dark unit at (0,0) is off (pre-activation 0): the deconvnet ignores that, guided backprop and the gradient do not
    assert.deepEqual(plane(dark.projections.deconvnet!, 1), spike(6, 6, 0, 0, -1));
    assert.deepEqual(plane(dark.projections.guided!, 1), spike(6, 6, 0, 0, 0));
    assert.deepEqual(plane(dark.projections.normal!, 1), spike(6, 6, 0, 0, 0));
    r.dispose();
    x.dispose();
  });

  it("through two layers: the deconvnet sends the top gradient through an inactive path that guided backprop closes", async () => {
    // x → conv1 1×1 [+1, −1] relu → conv2 1×1 [1, 1] relu. For x = 3 at one pixel: conv1 = [3, 0], conv2 = 3.
    // ∂conv2/∂x: gradient 1 + (−1)·[path 2 open?]. Backprop and guided: path 2 is off → 1. Deconvnet: its ReLU
    // passes relu(1) = 1 whatever the forward pass did → 1 − 1 = 0.
    const m = tf.sequential();
    m.add(
      tf.layers.conv2d({ name: "conv1", inputShape: [2, 2, 1], filters: 2, kernelSize: 1, activation: "relu", useBias: false }),
    );
    m.add(tf.layers.conv2d({ name: "conv2", filters: 1, kernelSize: 1, activation: "relu", useBias: false }));
    m.layers[0].setWeights([tf.tensor4d([1, -1], [1, 1, 1, 2])]);
    m.layers[1].setWeights([tf.tensor4d([1, 1], [1, 1, 2, 1])]);
    const x = tf.tensor4d([0, 3, 0, 0], [1, 2, 2, 1]);
    const r = await dv.topPatches(m, x, { layer: "conv2", k: 1, projections: ["guided", "deconvnet"], progress: false });
    const [c] = r.channels;
    assert.deepEqual([c.hits[0].position, c.hits[0].value], [[0, 1], 3]);
    assert.deepEqual(plane(c.projections.guided!, 0), spike(2, 2, 0, 1, 1));
    assert.deepEqual(plane(c.projections.deconvnet!, 0), spike(2, 2, 0, 1, 0));
    r.dispose();
    x.dispose();
  });

  it("k is capped by the number of images; a single image works; projections: [] gives patches only", async () => {
    const model = centreModel();
    const x = images();
    const r = await dv.topPatches(model, x, { layer: "c", channels: [0], k: 9, projections: [], progress: false });
    assert.deepEqual(
      r.channels[0].hits.map((h) => h.image),
      [1, 2, 0, 3],
    );
    assert.deepEqual(
      r.channels[0].hits.map((h) => h.value),
      [2, 1, 0.5, 0],
    );
    assert.deepEqual(Object.keys(r.channels[0].projections), []);
    r.dispose();
    const one = tf.tidy(() => x.slice([1], [1]).squeeze([0]));
    const s = await dv.topPatches(model, one, { layer: "c", channels: [0], k: 3, progress: false });
    assert.deepEqual(
      s.channels[0].hits.map((h) => [h.image, h.position]),
      [[0, [4, 1]]],
    );
    assert.equal(s.images, 1);
    s.dispose();
    tf.dispose([x, one]);
  });

  it("gives the same hits and projections one row per pass (batchSize 1) as in one pass, and reports every row", async () => {
    const model = centreModel();
    const x = images();
    const seen: dv.Progress[] = [];
    const one = await dv.topPatches(model, x, {
      layer: "c",
      k: 3,
      batchSize: 1,
      progress: false,
      onProgress: (p) => seen.push(p),
    });
    const all = await dv.topPatches(model, x, { layer: "c", k: 3, batchSize: 64, progress: false });
    assert.deepEqual(
      one.channels.map((c) => c.hits),
      all.channels.map((c) => c.hits),
    );
    for (const [i, c] of one.channels.entries())
      for (const rule of ["deconvnet", "guided"] as const)
        assert.deepEqual(c.projections[rule]!.arraySync(), all.channels[i].projections[rule]!.arraySync(), rule);
    // 4 images scanned, then 2 channels × 3 hits × 2 rules projected, one row at a time
    const last = seen[seen.length - 1];
    assert.deepEqual([last.done, last.total, last.unit], [16, 16, "rows"]);
    assert.ok(seen.length >= 16, `${seen.length} reports`);
    one.dispose();
    all.dispose();
    x.dispose();
  });

  it("leaves no tensor behind, on success and on every refusal, and refuses bad options with DeepVizErrors", async () => {
    const model = centreModel();
    const x0 = images();
    await noLeaks([x0], () => dv.topPatches(model, x0, { layer: "c", k: 2, progress: false }));
    const x = images();
    const before = tf.memory().numTensors;
    const cases: Array<[dv.TopPatchesOptions, RegExp]> = [
      [{ layer: "c", k: 0 }, /k must be a positive integer/],
      [{ layer: "c", channels: [2] }, /channel 2 is out of range: layer c has 2 channels/],
      [{ layer: "c", channels: [] }, /non-empty list/],
      [{ layer: "c", projections: ["bogus" as dv.ReluMode] }, /projections must be a list of backward rules/],
      [{ layer: 2 }, /no spatial axes/],
    ];
    for (const [options, pattern] of cases) await rejects(dv.topPatches(model, x, options), pattern);
    await rejects(dv.topPatches(model, x, undefined as unknown as dv.TopPatchesOptions), /needs a layer/);
    await rejects(dv.topPatches(model, tf.zeros([2, 5, 5, 1]) as tf.Tensor4D, { layer: "c" }), /axis 0 should be 6/);
    assert.equal(tf.memory().numTensors, before + 1, "only the zeros made for the last call remain");
    x.dispose();
  });

  it("draws as Zeiler & Fergus's figure; a projection is shown as 0.5 + 0.5·g / max|g|", async () => {
    const g = dv.render.signedImage({ height: 1, width: 3, channels: 1, data: Float32Array.from([-2, 0, 1]) });
    assert.deepEqual(Array.from(g.data), [0, 0.5, 0.75]);
    const model = centreModel();
    const x = images();
    const r = await dv.topPatches(model, x, { layer: "c", k: 2, progress: false });
    const pic = dv.render.topPatches(r, { cell: 30, gap: 0 });
    const tiny = dv.render.topPatches(r, { only: [1], rules: ["guided"], cell: 30, gap: 0 });
    // two channels × (patches + 2 rules) rows against one channel × (patches + 1 rule): 6 rows against 2
    assert.ok(pic.height > 2.5 * tiny.height, `${pic.height} vs ${tiny.height}`);
    assert.throws(() => dv.render.topPatches(r, { rules: ["normal"] }), /no "normal" projections; it has deconvnet, guided/);
    assert.match(String(r), /TopPatches\(c: channels \[1, 0\], top 2 of 4 images, field 3×3 px\)/);
    r.dispose();
    x.dispose();
  });
});
