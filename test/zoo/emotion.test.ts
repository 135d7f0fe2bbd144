import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";

/**
 * The shipped emotion GraphModel on the shipped photos: the numbers the model card and the lesson
 * (notebooks/10-real-photos-real-models.ipynb) state are computed here.
 */
const HAPPY = 3;
const BLOCK = "StatefulPartitionedCall/model_1/add_2/add"; // the last residual block, 8×8×256

describe("the shipped emotion model on the shipped photos", () => {
  let z: dv.zoo.ZooModel<tf.GraphModel>;
  let face: tf.Tensor3D;
  let x: tf.Tensor3D;
  const probs = (input: tf.Tensor3D) => tf.tidy(() => Array.from((z.model.execute(input.expandDims(0)) as tf.Tensor).dataSync()));
  before(async () => {
    z = await dv.zoo.load("emotion");
    face = await dv.data.photo("astronaut", { crop: dv.data.ASTRONAUT_FACE, size: 64 });
    x = dv.data.preprocess(face, z.preprocessing);
  });
  after(() => {
    tf.dispose([face, x]);
    z.model.dispose();
  });

  it("loads as a GraphModel with its card: 64×64×1 grey input, seven classes", () => {
    assert.ok(z.model instanceof tf.GraphModel);
    assert.deepEqual(z.inputShape, [64, 64, 1]);
    assert.deepEqual(z.classNames, ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]);
    assert.deepEqual(x.shape, [64, 64, 1]);
    assert.equal(dv.resolveLayer(z.model, "lastConv").name, z.lastConvLayer);
  });

  it("the astronaut's face is happy (p > 0.99); upside down it is not; a cat's face gets 'angry'", async () => {
    const p = probs(x);
    assert.equal(p.indexOf(Math.max(...p)), HAPPY);
    assert.ok(p[HAPPY] > 0.99, `happy ${p[HAPPY]}`);
    const flipped = tf.reverse(x, 0) as tf.Tensor3D;
    const q = probs(flipped);
    assert.ok(q[HAPPY] < 0.3 && q.indexOf(Math.max(...q)) === 4, `upside down: ${q.map((v) => v.toFixed(2))}`); // sad
    flipped.dispose();
    const cat = await dv.data.photo("chelsea", { crop: [20, 120, 200, 200], size: 64 });
    const catX = dv.data.preprocess(cat, z.preprocessing);
    const c = probs(catX);
    assert.equal(c.indexOf(Math.max(...c)), 0, `cat: ${c.map((v) => v.toFixed(2))}`); // angry
    assert.ok(c[0] > 0.5);
    tf.dispose([cat, catX]);
  });

  it("Grad-CAM for 'happy' at the last block puts its mass on the lower face, most densely on the mouth", async () => {
    const cam = await dv.gradCam(z.model, x, { layer: BLOCK, target: HAPPY });
    assert.deepEqual(cam.values.shape, [64, 64]);
    const [lower, mouth, total] = tf.tidy(() =>
      [
        tf.sum(tf.slice(cam.values, [32, 0], [32, 64])),
        tf.sum(tf.slice(cam.values, [40, 16], [20, 32])), // rows 40–59, columns 16–47: 15.6 % of the crop
        tf.sum(cam.values),
      ].map((t) => t.dataSync()[0]),
    );
    assert.ok(lower / total > 0.65, `lower half ${lower / total}`);
    assert.ok(mouth / total > (2 * (20 * 32)) / (64 * 64), `mouth box ${mouth / total}`);
    cam.dispose();
  });

  it("hiding the mouth lowers 'happy' more than hiding the same area of forehead", () => {
    const hide = (top: number) =>
      tf.tidy(() => {
        const m = tf.pad(tf.ones([20, 32, 1]), [
          [top, 64 - top - 20],
          [16, 16],
          [0, 0],
        ]);
        return tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(m, 0)) as tf.Tensor3D; // grey 0 in the model's [-1, 1]
      });
    const mouth = hide(40),
      forehead = hide(4);
    const pm = probs(mouth)[HAPPY],
      pf = probs(forehead)[HAPPY];
    assert.ok(pm < pf - 0.1, `mouth hidden ${pm}, forehead hidden ${pf}`);
    tf.dispose([mouth, forehead]);
  });

  it("computes no filter gradient: saliency and Grad-CAM run no Conv2DBackpropFilter kernel", async () => {
    for (const run of [() => dv.saliency(z.model, x), () => dv.gradCam(z.model, x, { layer: BLOCK })]) {
      let result: dv.Attribution | undefined;
      const info = await tf.profile(async () => {
        result = await run();
        return result.values;
      });
      const names = info.kernelNames;
      assert.ok(
        names.includes("Conv2DBackpropInput") || names.includes("DepthwiseConv2dNativeBackpropInput") || names.length > 0,
      );
      assert.ok(!names.some((n) => /BackpropFilter/.test(n)), `kernels: ${names.join(", ")}`);
      result!.dispose();
    }
  });
});

describe("CAM on a GraphModel", () => {
  it("the emotion model's head is conv → mean → softmax: CAM for a class is that class's channel of the last conv", async () => {
    const z = await dv.zoo.load("emotion");
    const face = await dv.data.photo("astronaut", { crop: dv.data.ASTRONAUT_FACE, size: 64 });
    const x = dv.data.preprocess(face, z.preprocessing);
    const before = tf.memory().numTensors;
    const cam = await dv.cam(z.model, x, { target: HAPPY, upsample: false });
    assert.equal(tf.memory().numTensors, before + 2); // the map and its input copy
    assert.equal(cam.info.layer, z.lastConvLayer);
    const expected = tf.tidy(() =>
      tf.squeeze(tf.slice(z.model.execute(x.expandDims(0), z.lastConvLayer) as tf.Tensor, [0, 0, 0, HAPPY], [1, 8, 8, 1])),
    );
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(cam.values, expected))).dataSync()[0]);
    assert.ok(diff < 1e-4, `diff ${diff}`);
    tf.dispose([expected, face, x]);
    cam.dispose();
    z.model.dispose();
  });
});

describe("every registered method on a real GraphModel", () => {
  it("runs each method the registry marks graphModel: true on the emotion model, leaving no tensor behind", async function () {
    this.timeout(300_000);
    const z = await dv.zoo.load("emotion");
    const face = await dv.data.photo("astronaut", { crop: dv.data.ASTRONAUT_FACE, size: 64 });
    const x = dv.data.preprocess(face, z.preprocessing);
    const ran: string[] = [];
    for (const m of dv.listMethods()) {
      if (m.graphModel !== true) continue;
      const before = tf.memory().numTensors;
      const options = {
        ...(m.defaults?.(z.model, x) ?? {}),
        ...(m.needsLayer ? { layer: z.lastConvLayer } : {}),
        ...(m.cost !== "one-pass" ? { steps: 8, samples: 4 } : {}),
        // a least-squares fit needs more coalitions than feature groups
        ...(m.name === "kernelShap" || m.name === "lime" ? { samples: 64, superpixels: { segments: 16 } } : {}),
      };
      const a = await m.run(z.model, x, options);
      assert.ok(
        tf.tidy(() => tf.any(tf.notEqual(a.values, 0)).dataSync()[0]),
        `${m.name} gave an all-zero map`,
      );
      a.dispose();
      assert.equal(tf.memory().numTensors, before, m.name);
      ran.push(m.name);
    }
    assert.ok(ran.length >= 14, ran.join(", "));
    tf.dispose([face, x]);
    z.model.dispose();
  });
});
