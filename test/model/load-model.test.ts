import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { smallCnn } from "../helpers/models";

/** Writes a model as tfjs files (model.json + weights.bin) the way tfjs-node's file:// saver does. */
async function saveToDir(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      fs.writeFileSync(path.join(dir, "weights.bin"), Buffer.from(artifacts.weightData as ArrayBuffer));
      fs.writeFileSync(
        path.join(dir, "model.json"),
        JSON.stringify({
          modelTopology: artifacts.modelTopology,
          format: "layers-model",
          weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
}

describe("loadModel", () => {
  const model = smallCnn(5);
  const x = tf.randomUniform([1, 8, 8, 3], 0, 1, "float32", 2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-model-"));
  before(async () => {
    await dv.backend();
    await saveToDir(model, dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const [label, source] of [
    ["a model.json path", () => path.join(dir, "model.json")],
    ["a folder", () => dir],
    ["a file:// URL", () => "file://" + path.join(dir, "model.json")],
  ] as const) {
    it(`loads from ${label} with the same predictions`, async () => {
      const loaded = await dv.loadModel(source());
      const a = model.predict(x) as tf.Tensor;
      const b = loaded.predict(x) as tf.Tensor;
      assert.deepEqual(
        Array.from(await b.data()).map((v) => v.toFixed(6)),
        Array.from(await a.data()).map((v) => v.toFixed(6)),
      );
      assert.deepEqual(
        dv.listLayers(loaded).map((l) => l.name),
        dv.listLayers(model).map((l) => l.name),
      );
      tf.dispose([a, b]);
      loaded.dispose();
    });
  }
  it("loads from in-memory artifacts", async () => {
    let saved!: tf.io.ModelArtifacts;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
    const loaded = (await dv.loadModel(saved)) as tf.LayersModel;
    assert.equal(loaded.layers.length, model.layers.length);
    loaded.dispose();
  });
  it("a missing file is a DeepVizError naming the path", async () => {
    await assert.rejects(
      dv.loadModel(path.join(dir, "nope.json")),
      (e: Error) => e instanceof dv.DeepVizError && /no model at .*nope.json/.test(e.message),
    );
  });
});
