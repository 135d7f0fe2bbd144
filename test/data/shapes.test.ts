import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { backend } from "../../src/backend";
import * as dv from "../../src";

const { shapes, shapePairs, shapeScenes, BIASED_TEXTURES, SHAPE_CLASSES } = dv.data;

/** Box spanned by the 1s of a size×size mask (exclusive ends). */
function extent(mask: Uint8Array, size: number): [number, number, number, number] {
  let top = size, left = size, bottom = 0, right = 0;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      if (mask[y * size + x]) {
        top = Math.min(top, y); left = Math.min(left, x); bottom = Math.max(bottom, y + 1); right = Math.max(right, x + 1);
      }
  return [top, left, bottom, right];
}

describe("data.shapes generator", () => {
  before(async () => {
    await backend();
  });

  it("is deterministic for a seed, differs between seeds, and scene i does not depend on n", () => {
    const a = shapeScenes({ n: 5, seed: 11 }), b = shapeScenes({ n: 5, seed: 11 }), c = shapeScenes({ n: 3, seed: 12 });
    const short = shapeScenes({ n: 2, seed: 11 });
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(Array.from(a[i].pixels), Array.from(b[i].pixels));
      assert.deepEqual(Array.from(a[i].objects[0].mask), Array.from(b[i].objects[0].mask));
    }
    assert.deepEqual(Array.from(short[1].pixels), Array.from(a[1].pixels));
    assert.notDeepEqual(Array.from(a[0].pixels), Array.from(c[0].pixels));
  });

  it("draws ≥ 6 classes at varied place, size, colour, rotation and texture", () => {
    assert.ok(SHAPE_CLASSES.length >= 6);
    const scenes = shapeScenes({ n: 120, seed: 3 });
    const labels = new Set(scenes.map((s) => s.objects[0].label));
    const textures = new Set(scenes.map((s) => s.texture));
    assert.equal(labels.size, SHAPE_CLASSES.length);
    assert.ok(textures.size >= 6, `textures used: ${[...textures]}`);
    const radii = scenes.map((s) => s.objects[0].radius), xs = scenes.map((s) => s.objects[0].centre[1]);
    assert.ok(Math.max(...radii) - Math.min(...radii) > 5);
    assert.ok(Math.max(...xs) - Math.min(...xs) > 20);
    const hues = new Set(scenes.map((s) => s.objects[0].colour.map((v) => Math.round(v * 4)).join()));
    assert.ok(hues.size > 20);
  });

  it("masks are exactly the object's pixels and boxes their extent", () => {
    for (const scene of shapeScenes({ n: 40, seed: 5 })) {
      const { size, pixels } = scene;
      const o = scene.objects[0];
      let area = 0;
      for (let p = 0; p < size * size; p++) {
        if (!o.mask[p]) continue;
        area++;
        for (let k = 0; k < 3; k++) assert.equal(pixels[p * 3 + k], Math.fround(o.colour[k]));
      }
      assert.deepEqual(o.box, extent(o.mask, size));
      // inside the image, with an area that fits the class and its radius
      assert.ok(o.box[0] >= 0 && o.box[1] >= 0 && o.box[2] <= size && o.box[3] <= size);
      if (o.className === "circle") {
        const expected = Math.PI * (0.9 * o.radius) ** 2;
        assert.ok(Math.abs(area - expected) / expected < 0.12, `circle area ${area} vs ${expected}`);
      }
      if (o.className === "square") {
        const expected = 2 * o.radius ** 2; // diagonal 2r
        assert.ok(Math.abs(area - expected) / expected < 0.12, `square area ${area} vs ${expected}`);
      }
      // the background next to the object is not the object's colour
      const [t, l] = o.box;
      const outside = t > 0 ? ((t - 1) * size + l) : null;
      if (outside !== null) assert.notDeepEqual(Array.from(pixels.slice(outside * 3, outside * 3 + 3)), o.colour.map(Math.fround));
    }
  });

  it("returns tensors with the documented shapes and nothing leaked", () => {
    const before = tf.memory().numTensors;
    const d = shapes({ n: 4, seed: 2, size: 32 });
    assert.deepEqual(d.images.shape, [4, 32, 32, 3]);
    assert.deepEqual(d.labels.shape, [4]);
    assert.deepEqual(d.masks.shape, [4, 32, 32]);
    assert.deepEqual(d.boxes.shape, [4, 4]);
    assert.equal(d.labels.dtype, "int32");
    const img = d.images.dataSync();
    assert.ok(img.every((v) => v >= 0 && v <= 1));
    assert.deepEqual(Array.from(d.labels.dataSync()), d.scenes.map((s) => s.objects[0].label));
    assert.equal(tf.tidy(() => d.masks.sum().arraySync()), d.scenes.reduce((s, sc) => s + sc.objects[0].mask.reduce((a, b) => a + b, 0), 0));
    d.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it("two-object scenes: different classes, disjoint masks, separate boxes", () => {
    const d = shapePairs({ n: 30, seed: 9 });
    assert.deepEqual(d.labels.shape, [30, 2]);
    assert.deepEqual(d.masks.shape, [30, 2, 64, 64]);
    assert.deepEqual(d.boxes.shape, [30, 2, 4]);
    for (const scene of d.scenes) {
      const [a, b] = scene.objects;
      assert.notEqual(a.label, b.label);
      for (let p = 0; p < a.mask.length; p++) assert.ok(!(a.mask[p] && b.mask[p]));
      assert.ok(a.mask.some((v) => v) && b.mask.some((v) => v));
      assert.deepEqual(a.box, extent(a.mask, 64));
      assert.deepEqual(b.box, extent(b.mask, 64));
      const apart = a.box[2] <= b.box[0] || b.box[2] <= a.box[0] || a.box[3] <= b.box[1] || b.box[3] <= a.box[1];
      assert.ok(apart, "boxes overlap");
    }
    d.dispose();
  });

  it("biased variant ties each class to its texture; unbiased does not", () => {
    const biased = shapeScenes({ n: 60, seed: 4, biased: true });
    for (const s of biased) assert.equal(s.texture, BIASED_TEXTURES[s.objects[0].label]);
    const unbiased = shapeScenes({ n: 60, seed: 4 });
    const mismatched = unbiased.filter((s) => s.texture !== BIASED_TEXTURES[s.objects[0].label]).length;
    assert.ok(mismatched > 40, `only ${mismatched} of 60 unbiased scenes off the biased texture`);
  });

  it("rejects bad options with a DeepVizError", () => {
    assert.throws(() => shapes({ n: 0 }), dv.DeepVizError);
    assert.throws(() => shapes({ n: 2, size: 8 }), /size/);
    assert.throws(() => shapes({ n: 2, texture: "zebra" as never }), /texture/);
  });
});
