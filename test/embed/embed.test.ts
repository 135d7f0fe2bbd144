import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { backend } from "../../src/backend";
import { embed, Embedding, trustworthiness } from "../../src/embed";
import { pcaProject } from "../../src/embed/pca";
import { toPoints } from "../../src/embed/points";
import { DeepVizError } from "../../src/errors";
import { blobs, nearestLabelAgreement } from "./helpers";

/** A small functional-style Sequential model on 6×6×1 images with a named hidden layer. */
function tinyModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: "relu", name: "conv" }));
  model.add(tf.layers.flatten({ name: "flat" }));
  model.add(tf.layers.dense({ units: 5, activation: "relu", name: "hidden" }));
  model.add(tf.layers.dense({ units: 3, name: "logits" }));
  return model;
}

describe("embed: embed()", () => {
  before(async () => {
    await backend();
  });

  it("embeds a tensor of activations with t-SNE, keeping labelled clusters apart", async () => {
    const { rows, labels } = blobs(160, 12, 4, 6, 4);
    const x = tf.tensor2d(rows);
    const before = tf.memory().numTensors;
    const e = await embed(x, { labels, seed: 1, perplexity: 15, iterations: 400 });
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    assert.ok(e instanceof Embedding);
    assert.equal(e.coords.length, 160 * 2);
    assert.deepEqual(e.labels, labels);
    assert.equal(e.info.inputDims, 12);
    assert.equal(e.info.iterations, 400);
    assert.ok(trustworthiness(rows, e.points, 5) >= 0.95);
    assert.equal(nearestLabelAgreement(e.points, labels), 1);
  });

  it("PCA through embed equals the direct projection; one-hot label tensors become class indices", async () => {
    const { rows } = blobs(50, 7, 2, 3, 5);
    const oneHot = tf.oneHot(
      tf.tensor1d(
        rows.map((_, i) => i % 2),
        "int32",
      ),
      2,
    );
    const before = tf.memory().numTensors;
    const e = await embed(rows, { method: "pca", dims: 3, labels: oneHot, classNames: ["even", "odd"] });
    assert.equal(tf.memory().numTensors, before);
    oneHot.dispose();
    const direct = pcaProject(toPoints(rows, "x"), 3);
    assert.deepEqual(Array.from(e.coords), Array.from(Float32Array.from(direct.coords)));
    assert.deepEqual(e.labels!.slice(0, 3), ["even", "odd", "even"]);
    assert.equal(e.info.explainedVarianceRatio!.length, 3);
  });

  it("UMAP separates clusters and reproduces with the same seed", async () => {
    const { rows, labels } = blobs(150, 10, 3, 6, 6);
    const a = await embed(rows, { method: "umap", seed: 3, epochs: 150, labels });
    const b = await embed(rows, { method: "umap", seed: 3, epochs: 150 });
    assert.deepEqual(Array.from(a.coords), Array.from(b.coords));
    assert.equal(nearestLabelAgreement(a.points, labels), 1);
    // UMAP packs each blob tightly, scrambling the (pure-noise) order inside it: about 0.94 here.
    assert.ok(trustworthiness(rows, a.points, 5) >= 0.9);
  });

  it("embeds a model layer's activations for images, keeping thumbnails, without leaking tensors", async () => {
    const model = tinyModel();
    const images = tf.randomUniform([40, 6, 6, 1], 0, 1, "float32", 9);
    const before = tf.memory().numTensors;
    const e = await embed({ model, layer: "hidden", images }, { method: "pca" });
    assert.equal(tf.memory().numTensors, before);
    // Same result as PCA of the layer's output computed by hand.
    const acts = tf.tidy(
      () =>
        tf
          .model({ inputs: model.inputs, outputs: model.getLayer("hidden").output as tf.SymbolicTensor })
          .predict(images) as tf.Tensor,
    );
    const direct = pcaProject(toPoints(acts, "acts"), 2);
    acts.dispose();
    Array.from(e.coords).forEach((v, i) => assert.ok(Math.abs(v - direct.coords[i]) < 1e-4));
    assert.equal(e.info.layer, "hidden");
    assert.equal(e.info.inputDims, 5);
    assert.ok(e.thumbnails);
    assert.deepEqual([e.thumbnails.n, e.thumbnails.height, e.thumbnails.width], [40, 6, 6]);
    // Thumbnail pixel = image value × 255, grey copied to R, G and B.
    const v = images.dataSync()[0] * 255;
    assert.ok(
      Math.abs(e.thumbnails.rgba[0] - v) <= 1 && e.thumbnails.rgba[1] === e.thumbnails.rgba[0] && e.thumbnails.rgba[3] === 255,
    );
    images.dispose();
    model.dispose();
  });

  it("rejects bad input with DeepVizError saying what to do", async () => {
    const model = tinyModel();
    const images = tf.zeros([4, 6, 6, 1]);
    await assert.rejects(
      embed({ model, layer: "nope", images }),
      (e: Error) => e instanceof DeepVizError && /conv, flat, hidden, logits/.test(e.message),
    );
    await assert.rejects(embed({ model, layer: "hidden", images: tf.zeros([4, 5, 5, 1]) }), /\[N, 6, 6, 1\]/);
    await assert.rejects(embed([[1, 2], [3]]), /row 1 has 1 values/);
    await assert.rejects(
      embed(
        [
          [1, 2],
          [3, 4],
        ],
        { method: "mds" as "pca" },
      ),
      DeepVizError,
    );
    await assert.rejects(
      embed(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        { method: "pca", labels: [1, 2] },
      ),
      /one label per point/,
    );
    await assert.rejects(embed(tf.tensor1d([1, 2, 3])), /leading axis of points/);
    await assert.rejects(
      embed(
        [
          [1, 2],
          [3, 4],
        ],
        { dims: 4 as 2 },
      ),
      DeepVizError,
    );
    images.dispose();
    model.dispose();
  });
});
