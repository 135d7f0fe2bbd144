import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { drawShape, OBJECT, rng, SIZE, trainShapesCnn } from "./shapes";

/**
 * Class discrimination (Selvaraju et al.'s main claim): in a scene with a square and a cross, the map
 * for "square" peaks on the square and the map for "cross" on the cross. The model is a small GAP CNN
 * trained in the test on synthetic scenes (see shapes.ts), then explained on 12 new two-object scenes.
 */
describe("class discrimination on a CNN trained on squares and crosses", function () {
  this.timeout(120000);
  let model: tf.LayersModel;
  const scenes: { image: tf.Tensor3D; objects: number[][] }[] = [];

  before(async () => {
    await dv.backend();
    const trained = await trainShapesCnn(3, 8, 70);
    model = trained.model;
    // the model must have learned the task for the test to mean anything
    assert.ok(trained.accuracy > 0.95, `held-out accuracy ${trained.accuracy}`);
    const rand = rng(99);
    for (let t = 0; t < 12; t++) {
      // one shape in the left part, the other in the right part, at different heights
      const at = (lo: number) => lo + Math.floor(rand() * 5);
      const left = [at(0) + (t % 3) * 4, at(0)];
      const right = [at(0) + ((t + 1) % 3) * 4, at(11)];
      const square = t % 2 === 0 ? left : right;
      const cross = t % 2 === 0 ? right : left;
      const img = new Float32Array(SIZE * SIZE);
      drawShape(img, 0, square[0], square[1]);
      drawShape(img, 1, cross[0], cross[1]);
      scenes.push({ image: tf.tensor3d(img, [SIZE, SIZE, 1]), objects: [square, cross] });
    }
  });
  after(() => scenes.forEach((s) => s.image.dispose()));

  const inside = (p: number, [r, c]: number[]) => {
    const pr = Math.floor(p / SIZE),
      pc = p % SIZE;
    return pr >= r && pr < r + OBJECT && pc >= c && pc < c + OBJECT;
  };
  const massIn = (v: Float32Array, box: number[]) => v.reduce((s, x, p) => s + (inside(p, box) ? Math.max(x, 0) : 0), 0);

  /** How many of the 24 (scene, class) maps peak on their own object, and how many hold more mass there. */
  async function score(method: (m: tf.LayersModel, x: tf.Tensor, o: { target: number }) => Promise<dv.Attribution>) {
    let peaks = 0,
      mass = 0;
    for (const { image, objects } of scenes) {
      for (const cls of [0, 1]) {
        const a = await method(model, image, { target: cls });
        assert.deepEqual(a.values.shape, [SIZE, SIZE]);
        const v = (await a.values.data()) as Float32Array;
        a.dispose();
        const peak = v.indexOf(Math.max(...v));
        if (inside(peak, objects[cls])) peaks++;
        if (massIn(v, objects[cls]) > massIn(v, objects[1 - cls])) mass++;
      }
    }
    return { peaks, mass };
  }

  for (const name of ["gradCam", "cam", "gradCamPlusPlus"] as const) {
    it(`${name}: every map peaks on its own class's object`, async () => {
      const { peaks, mass } = await score(dv[name]);
      assert.equal(peaks, 24, `${name}: ${peaks}/24 maps peak on their own object`);
      assert.equal(mass, 24, `${name}: ${mass}/24 maps hold more mass on their own object`);
    });
  }
  it("scoreCam: maps peak on their own object", async () => {
    // Score-CAM is the least class-discriminative of the family (a mask showing only the square can
    // still raise the cross score of a weakly trained model); on this model all 24 peak right
    const { peaks } = await score(dv.scoreCam);
    assert.ok(peaks >= 22, `scoreCam: ${peaks}/24 maps peak on their own object`);
  });
});
