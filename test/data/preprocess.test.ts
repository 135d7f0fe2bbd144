import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { backend } from "../../src/backend";
import * as dv from "../../src";

const { preprocess, deprocess, PREPROCESS_MODES } = dv.data;

function close(actual: number[], expected: number[], tol = 1e-4) {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < tol, `[${i}] ${v} vs ${expected[i]}`));
}

describe("data.preprocess / deprocess", () => {
  // one pixel, RGB = (1, 0.5, 0)
  let pixel: tf.Tensor3D;
  before(async () => {
    await backend();
    pixel = tf.tensor3d([1, 0.5, 0], [1, 1, 3]);
  });
  after(() => pixel.dispose());

  it("maps [0, 1] RGB as each mode documents (hand-computed values)", () => {
    const run = (mode: dv.data.PreprocessMode) => tf.tidy(() => Array.from(preprocess(pixel, mode).dataSync()));
    close(run("0-1"), [1, 0.5, 0]);
    close(run("0-255"), [255, 127.5, 0]);
    close(run("-1-1"), [1, 0, -1]);
    close(run("imagenet"), [(1 - 0.485) / 0.229, (0.5 - 0.456) / 0.224, (0 - 0.406) / 0.225]);
    // caffe: BGR order, 0-255 scale, minus the BGR means
    close(run("caffe"), [0 - 103.939, 127.5 - 116.779, 255 - 123.68]);
  });

  it("deprocess inverts every mode (round trip on a random batch; grey images for gray-1-1) without leaking", () => {
    const colour = tf.randomUniform([2, 4, 5, 3], 0, 1, "float32", 7);
    const grey = tf.tile(tf.randomUniform([2, 4, 5, 1], 0, 1, "float32", 8), [1, 1, 1, 3]);
    const before = tf.memory().numTensors;
    for (const mode of PREPROCESS_MODES) {
      const x = mode === "gray-1-1" ? grey : colour; // one channel cannot hold colour
      const y = preprocess(x, mode);
      const back = deprocess(y, mode);
      assert.deepEqual(back.shape, x.shape);
      close(Array.from(back.dataSync()), Array.from(x.dataSync()), 1e-4);
      tf.dispose([y, back]);
    }
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([colour, grey]);
  });

  it("gray-1-1 is the luma-weighted grey, scaled to [-1, 1] (the emotion model's input)", () => {
    const y = preprocess(tf.tensor3d([[[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]]), "gray-1-1");
    assert.deepEqual(y.shape, [1, 4, 1]);
    close(Array.from(y.dataSync()), [0.2989 * 2 - 1, 0.587 * 2 - 1, 0.114 * 2 - 1, (0.2989 + 0.587 + 0.114) * 2 - 1], 1e-6);
    y.dispose();
  });

  it("rejects unknown modes and non-RGB input for channel-wise modes", () => {
    assert.throws(() => preprocess(pixel, "bgr" as never), /Unknown preprocessing "bgr"/);
    const grey = tf.zeros([2, 2, 1]);
    assert.throws(() => preprocess(grey, "caffe"), dv.DeepVizError);
    assert.throws(() => deprocess(grey, "imagenet"), /needs RGB/);
    grey.dispose();
  });
});
