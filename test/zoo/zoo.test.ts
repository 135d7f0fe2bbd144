import { strict as assert } from "assert";
import { createServer, Server } from "http";
import { AddressInfo } from "net";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as tf from "@tensorflow/tfjs";
import { backend } from "../../src/backend";
import * as dv from "../../src";
import { accuracy } from "../../scripts/train";

/** Accuracy of a shipped shapes model on a test set generated here, with a seed no card or training used. */
async function freshShapesAccuracy(model: tf.LayersModel, biased: boolean, seed: number, n = 300): Promise<number> {
  const data = dv.data.shapes({ n, seed, biased });
  try {
    return await accuracy(model, data.images, data.labels);
  } finally {
    data.dispose();
  }
}

describe("zoo: shipped models", () => {
  before(async () => {
    await backend();
  });

  for (const name of ["shapes_cnn", "shapes_vgg"]) {
    it(`${name} reaches ≥ 95 % (and its card's accuracy) on freshly generated shapes`, async () => {
      const z = await dv.zoo.load(name);
      assert.equal(z.source, "shipped");
      assert.deepEqual(z.inputShape, [64, 64, 3]);
      assert.deepEqual(z.classNames, [...dv.data.SHAPE_CLASSES]);
      // the card's layer names are the model's conv layers, in order, the last one last
      assert.deepEqual(
        z.convLayers,
        z.model.layers.filter((l) => l.getClassName() === "Conv2D").map((l) => l.name),
      );
      assert.equal(z.convLayers[z.convLayers.length - 1], z.lastConvLayer);
      const acc = await freshShapesAccuracy(z.model, false, 31337);
      assert.ok(acc >= 0.95, `${name}: ${acc}`);
      assert.ok(acc >= z.accuracy!.shapes_test - 0.03, `${name}: fresh ${acc} vs card ${z.accuracy!.shapes_test}`);
      z.model.dispose();
    });
  }

  it("shapes_vgg has ≥ 8 conv layers in blocks; shapes_cnn ends in GAP + dense (CAM)", async () => {
    const vgg = await dv.zoo.load("shapes_vgg");
    assert.ok(vgg.convLayers.length >= 8);
    assert.ok(vgg.convLayers.every((n) => /^block\d_conv\d$/.test(n)));
    const cnn = await dv.zoo.load("shapes_cnn");
    const layers = cnn.model.layers.map((l) => l.getClassName());
    assert.deepEqual(layers.slice(-2), ["GlobalAveragePooling2D", "Dense"]);
    vgg.model.dispose();
    cnn.model.dispose();
  });

  it("shapes_biased is right on biased images and drops on unbiased ones, as its card says", async () => {
    const z = await dv.zoo.load("shapes_biased");
    assert.deepEqual(
      z.convLayers,
      z.model.layers.filter((l) => l.getClassName() === "Conv2D").map((l) => l.name),
    );
    const onBiased = await freshShapesAccuracy(z.model, true, 31338);
    const onUnbiased = await freshShapesAccuracy(z.model, false, 31337);
    const cardDrop = z.accuracy!.biased_test - z.accuracy!.shapes_test;
    assert.ok(onBiased >= 0.9, `biased ${onBiased}`);
    assert.ok(onBiased - onUnbiased >= 0.2, `drop ${onBiased} → ${onUnbiased}`);
    assert.ok(Math.abs(onBiased - onUnbiased - cardDrop) < 0.1, `drop ${onBiased - onUnbiased} vs card ${cardDrop}`);
    z.model.dispose();
  });

  it("mnist_cnn reaches ≥ 97 % on the held-out MNIST test split", async () => {
    const z = await dv.zoo.load("mnist_cnn");
    assert.deepEqual(z.inputShape, [28, 28, 1]);
    assert.deepEqual(
      z.convLayers,
      z.model.layers.filter((l) => l.getClassName() === "Conv2D").map((l) => l.name),
    );
    const test = dv.data.mnist({ split: "test" });
    const acc = await accuracy(z.model, test.images, test.labels);
    test.dispose();
    assert.ok(acc >= 0.97, `mnist ${acc}`);
    assert.ok(Math.abs(acc - z.accuracy!.mnist_test) < 1e-6);
    z.model.dispose();
  });

  it("weights stay small (all shipped models < 10 MB together)", () => {
    let bytes = 0;
    for (const name of dv.zoo.SHIPPED_MODELS)
      for (const f of readdirSync(join(dv.zoo.modelsDir(), name)))
        bytes += readFileSync(join(dv.zoo.modelsDir(), name, f)).length;
    assert.ok(bytes < 10e6, `${bytes} bytes`);
  });
});

describe("zoo: pretrained models (download and cache)", () => {
  let server: Server;
  let served = "";
  let requests: string[] = [];
  let base = "";

  before(async () => {
    await backend();
    // a tiny stand-in with MobileNet v2's interface (224×224×3 in, 1000 classes out, last conv "out_relu")
    const input = tf.input({ shape: [224, 224, 3] });
    const conv = tf.layers.conv2d({ name: "out_relu", filters: 4, kernelSize: 3, strides: 8, activation: "relu" }).apply(input);
    const gap = tf.layers.globalAveragePooling2d({}).apply(conv);
    const out = tf.layers.dense({ units: 1000, activation: "softmax" }).apply(gap) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    served = mkdtempSync(join(tmpdir(), "dv-served-"));
    await dv.zoo.saveLayersModel(model, served);
    model.dispose();
    server = createServer((req, res) => {
      requests.push(req.url ?? "");
      const file = join(served, (req.url ?? "").replace(/^\/models\//, ""));
      if (req.url?.startsWith("/models/") && existsSync(file)) res.writeHead(200).end(readFileSync(file));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it("downloads model.json and weights once, then loads from the cache without the network", async () => {
    const cache = mkdtempSync(join(tmpdir(), "dv-cache-"));
    requests = [];
    const first = await dv.zoo.load("mobilenet_v2", { url: `${base}/models/model.json`, cacheDir: cache });
    assert.equal(first.source, "download");
    assert.deepEqual(requests, ["/models/model.json", "/models/weights.bin"]);
    assert.ok(existsSync(join(cache, "mobilenet_v2", "model.json")) && existsSync(join(cache, "mobilenet_v2", "weights.bin")));
    assert.deepEqual(readdirSync(cache), ["mobilenet_v2"]); // no partial folders left
    assert.equal(first.classNames.length, 1000);
    assert.equal(first.preprocessing, "-1-1");
    assert.equal(first.lastConvLayer, "out_relu");
    const y = tf.tidy(() => (first.model.predict(tf.zeros([1, 224, 224, 3])) as tf.Tensor).shape);
    assert.deepEqual(y, [1, 1000]);

    requests = [];
    const second = await dv.zoo.load("mobilenet_v2", { url: "http://127.0.0.1:9/unreachable/model.json", cacheDir: cache });
    assert.equal(second.source, "cache");
    assert.deepEqual(requests, []);
    const w1 = first.model.getWeights().map((w) => Array.from(w.dataSync()));
    const w2 = second.model.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(w1, w2);
    first.model.dispose();
    second.model.dispose();
  });

  it("offline (nothing listening) fails with a DeepVizError that says what to do, and caches nothing", async () => {
    const cache = mkdtempSync(join(tmpdir(), "dv-cache-"));
    await assert.rejects(dv.zoo.load("mobilenet_v1", { url: "http://127.0.0.1:9/model.json", cacheDir: cache }), (e: Error) => {
      assert.ok(e instanceof dv.DeepVizError);
      assert.match(e.message, /Could not download "mobilenet_v1" from http:\/\/127\.0\.0\.1:9\/model\.json/);
      assert.match(e.message, /offline/);
      return true;
    });
    assert.deepEqual(readdirSync(cache), []);
  });

  it("a missing weight file (HTTP 404) leaves no half model in the cache", async () => {
    const cache = mkdtempSync(join(tmpdir(), "dv-cache-"));
    const json = JSON.parse(readFileSync(join(served, "model.json"), "utf8"));
    json.weightsManifest[0].paths = ["missing.bin"];
    writeFileSync(join(served, "broken.json"), JSON.stringify(json));
    await assert.rejects(dv.zoo.load("mobilenet_v2", { url: `${base}/models/broken.json`, cacheDir: cache }), /HTTP 404/);
    assert.deepEqual(readdirSync(cache), []);
  });

  it("unknown names list what exists; GraphModels are refused", async () => {
    await assert.rejects(dv.zoo.load("resnet9000"), /Unknown model "resnet9000".*shapes_cnn.*mobilenet_v2/);
    const dir = mkdtempSync(join(tmpdir(), "dv-graph-"));
    writeFileSync(
      join(dir, "model.json"),
      JSON.stringify({ format: "graph-model", modelTopology: { node: [] }, weightsManifest: [] }),
    );
    await assert.rejects(dv.zoo.load(join(dir, "model.json")), /GraphModel/);
  });

  it("ships the 1000 ImageNet class names in index order", () => {
    const names = dv.zoo.IMAGENET_CLASSES;
    assert.equal(names.length, 1000);
    assert.equal(names[0], "tench");
    assert.equal(names[1], "goldfish");
    assert.equal(names[207], "golden retriever");
    assert.equal(names[281], "tabby");
    assert.equal(names[340], "zebra");
    assert.equal(names[388], "giant panda");
    assert.equal(names[409], "analog clock");
    assert.equal(names[817], "sports car");
    assert.equal(names[954], "banana");
    assert.equal(names[999], "toilet tissue");
    const top = tf.tidy(() => dv.zoo.topClasses(tf.oneHot(tf.tensor1d([954], "int32"), 1000).reshape([1, 1000]), names, 2));
    assert.equal(top[0].className, "banana");
    assert.equal(top[0].probability, 1);
  });
});
