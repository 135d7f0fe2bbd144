import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../entry/src";
import { Busy } from "../../widgets/src/explorers/busy";
import { smallCnn } from "../helpers/models";
import { FakeCommManager, installFake, tick, uninstallFake } from "./fake-comm-manager";

/** A deterministic 8×8×3 image in [0, 1]. */
function testImage(): tf.Tensor3D {
  const v = Array.from({ length: 8 * 8 * 3 }, (_, i) => ((i * 37) % 101) / 100);
  return tf.tensor3d(v, [8, 8, 3]);
}

/** conv1 (3×3, same padding, relu) at (row, col, channel), from the weights by hand. */
function conv1At(model: tf.LayersModel, x: number[][][], row: number, col: number, ch: number): number {
  const [k, b] = model
    .getLayer("conv1")
    .getWeights()
    .map((w) => w.arraySync()) as [number[][][][], number[]];
  let s = b[ch];
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      const r = row + i - 1;
      const c = col + j - 1;
      if (r < 0 || r >= 8 || c < 0 || c >= 8) continue;
      for (let m = 0; m < 3; m++) s += k[i][j][m][ch] * x[r][c][m];
    }
  return Math.max(0, s);
}

describe("widgets: explorers", function () {
  this.timeout(60000);
  let fe: FakeCommManager;
  let model: tf.LayersModel;
  let image: tf.Tensor3D;
  before(async () => {
    await dv.backend();
    model = smallCnn(3);
    image = testImage();
  });
  beforeEach(() => {
    fe = installFake();
  });
  afterEach(() => uninstallFake());

  it("layerExplorer shows the layer's channels and the picked one over the image; sliders move it", async () => {
    const before = tf.memory().numTensors;
    const ex = await dv.layerExplorer(model, image);
    await tick();
    assert.deepEqual(
      ex.layers.map((l) => l.name),
      ["conv1", "pool1", "conv2"],
    );
    assert.deepEqual([ex.grid.channels, ex.grid.height, ex.grid.width], [4, 8, 8]);
    const x = image.arraySync();
    // grid data is [channel, row, col]; check against the convolution done by hand
    for (const [r, c, ch] of [
      [3, 3, 0],
      [0, 7, 2],
      [5, 1, 3],
    ]) {
      assert.ok(Math.abs(ex.grid.data![ch * 64 + r * 8 + c] - conv1At(model, x, r, c, ch)) < 1e-5, `conv1[${r},${c},${ch}]`);
    }
    assert.deepEqual([ex.heatmap.map_width, ex.heatmap.map_height, ex.heatmap.image_width], [8, 8, 8]);
    assert.deepEqual([...ex.heatmap.image!.subarray(0, 4)], [0, 94, 189, 255]);
    // Channel slider moved in the page: the heatmap gets that channel's map, the grid highlights it.
    fe.receive(ex.channelSlider.modelId, { method: "update", state: { value: 2 }, buffer_paths: [] });
    await ex.idle();
    assert.equal(ex.grid.selected, 2);
    assert.ok(Math.abs(ex.heatmap.map![3 * 8 + 3] - conv1At(model, x, 3, 3, 2)) < 1e-5);
    // A tile clicked in the grid moves the channel slider.
    fe.receive(ex.grid.modelId, { method: "update", state: { selected: 1 }, buffer_paths: [] });
    await ex.idle();
    assert.equal(ex.channelSlider.value, 1);
    assert.ok(Math.abs(ex.heatmap.map![0] - conv1At(model, x, 0, 0, 1)) < 1e-5);
    // Layer slider: conv2 has 6 channels of 4×4.
    fe.receive(ex.layerSlider.modelId, { method: "update", state: { value: 2 }, buffer_paths: [] });
    await ex.idle();
    assert.deepEqual([ex.grid.channels, ex.heatmap.map_width, ex.channelSlider.max], [6, 4, 5]);
    assert.ok(ex.filter.channels === 4 && ex.filter.height === 3, "conv2's filter: 4 input channels of 3×3");
    const k = model.getLayer("conv2").getWeights()[0].arraySync() as number[][][][];
    assert.equal(ex.filter.data![2 * 9 + 1 * 3 + 0], Math.fround(k[1][0][2][ex.channelSlider.value]));
    assert.equal(tf.memory().numTensors, before + 1, "only the explorer's own copy of the image is kept");
    ex.close();
    assert.equal(tf.memory().numTensors, before, "close() frees it");
  });

  it("layerExplorer coalesces rapid layer moves: the latest wins, no backlog", async () => {
    const ex = await dv.layerExplorer(model, image);
    await tick();
    fe.clear();
    for (const v of [1, 2, 0, 1, 2, 1, 0, 2])
      fe.receive(ex.layerSlider.modelId, { method: "update", state: { value: v }, buffer_paths: [] });
    await ex.idle();
    const gridUpdates = fe.sent.filter(
      (m) => m.commId === ex.grid.modelId && m.data.method === "update" && "channels" in m.data.state,
    );
    assert.ok(gridUpdates.length <= 2, `grid redrawn ${gridUpdates.length} times for 8 moves`);
    assert.equal(ex.layer.name, "conv2");
    assert.equal(ex.grid.channels, 6);
  });

  it("neuronPicker: a click on the map gives that neuron's input gradient (the filter at its receptive field)", async () => {
    const before = tf.memory().numTensors;
    const np = await dv.neuronPicker(model, image, { layer: "conv1" });
    await tick();
    const x = image.arraySync();
    // pick an active neuron away from the border, so its gradient is exactly its filter
    let py = -1;
    let px = -1;
    let ch = -1;
    for (let r = 1; r < 7 && ch < 0; r++)
      for (let c = 1; c < 7 && ch < 0; c++)
        for (let m = 0; m < 4 && ch < 0; m++) if (conv1At(model, x, r, c, m) > 0.01) [py, px, ch] = [r, c, m];
    assert.ok(ch >= 0, "some conv1 neuron is active");
    fe.receive(np.channel.modelId, { method: "update", state: { value: ch }, buffer_paths: [] });
    await np.idle();
    fe.receive(np.activation.modelId, {
      method: "custom",
      content: { event: "click", x: px, y: py, value: 0, image_x: px, image_y: py },
    });
    await np.idle();
    const k = model.getLayer("conv1").getWeights()[0].arraySync() as number[][][][];
    const g = np.gradient.map!;
    for (let r = 0; r < 8; r++)
      for (let c = 0; c < 8; c++) {
        const inside = Math.abs(r - py) <= 1 && Math.abs(c - px) <= 1;
        const expected = inside ? [0, 1, 2].reduce((s, m) => s + Math.abs(k[r - py + 1][c - px + 1][m][ch]), 0) : 0;
        assert.ok(Math.abs(g[r * 8 + c] - expected) < 1e-5, `gradient at ${r},${c}: ${g[r * 8 + c]} vs ${expected}`);
      }
    assert.deepEqual(np.activation.marker, [px, py]);
    assert.equal(tf.memory().numTensors, before + 1, "only the picker's own copy of the image is kept");
    np.close();
    assert.equal(tf.memory().numTensors, before);
  });

  it("attributionExplorer draws the chosen method and switches method and class from the page", async () => {
    const ax = await dv.attributionExplorer(model, image, { classNames: ["cat", "dog", "fox"] });
    await tick();
    assert.ok(ax.method.options.map(([l]) => l).includes("saliency"));
    assert.equal(ax.method.value, "saliency");
    const predicted = ax.target.value!;
    const sal = await dv.saliency(model, image, { target: predicted });
    const expected = tf.tidy(() => tf.sum(tf.abs(sal.values), 2).dataSync());
    sal.dispose();
    ax.heatmap.map!.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6));
    assert.match(ax.target.label!, /^(cat|dog|fox) \(\d+\.\d%\)$/);
    // the percentages are the model's softmax output, so over all classes they add up to 100
    const percents = ax.target.options.map(([label]) => Number(/\((\d+\.\d)%\)/.exec(label)![1]));
    assert.ok(Math.abs(percents.reduce((a, b) => a + b, 0) - 100) < 0.2, `percentages ${percents}`);
    // jslink: opacity lives in the page
    const link = fe.sent.find((m) => m.kind === "open" && m.data.state._model_name === "LinkModel")!;
    assert.deepEqual(link.data.state.source, [`IPY_MODEL_${ax.opacity.modelId}`, "value"]);
    assert.deepEqual(link.data.state.target, [`IPY_MODEL_${ax.heatmap.modelId}`, "opacity"]);
    const ixg = ax.method.options.findIndex(([l]) => l === "inputXGradient");
    fe.receive(ax.method.modelId, { method: "update", state: { index: ixg }, buffer_paths: [] });
    await ax.idle();
    assert.equal(ax.heatmap.signed, true);
    assert.equal(ax.heatmap.colormap, "bwr");
    const other = ax.target.options[1][1];
    fe.receive(ax.target.modelId, { method: "update", state: { index: 1 }, buffer_paths: [] });
    await ax.idle();
    const ig = await dv.inputXGradient(model, image, { target: other });
    const e2 = tf.tidy(() => tf.sum(ig.values, 2).dataSync());
    ig.dispose();
    ax.heatmap.map!.forEach((v, i) => assert.ok(Math.abs(v - e2[i]) < 1e-6));
    // A CAM method on the chosen layer (the layer menu is enabled for it).
    const cam = ax.method.options.findIndex(([l]) => l === "gradCam");
    assert.ok(cam >= 0, "gradCam is offered once the library has it");
    fe.receive(ax.method.modelId, { method: "update", state: { index: cam }, buffer_paths: [] });
    await ax.idle();
    assert.equal(ax.layer.disabled, false);
    assert.equal(ax.layer.value, "conv2");
    const gc = await (dv as any).gradCam(model, image, { target: other, layer: "conv2" });
    const e3 = tf.tidy(() => (gc.values.rank === 3 ? tf.sum(gc.values, 2) : gc.values).dataSync());
    gc.dispose();
    assert.deepEqual([ax.heatmap.map_width, ax.heatmap.map_height], [gc.values.shape[1], gc.values.shape[0]]);
    ax.heatmap.map!.forEach((v, i) => assert.ok(Math.abs(v - Math.abs(e3[i])) < 1e-6));
    assert.match(ax.info.value, /gradCam on conv2/);
  });

  it("Busy shows its bar only while slow work runs", async () => {
    const busy = new Busy(20);
    let seen = false;
    await busy.run(async () => {
      await new Promise((r) => setTimeout(r, 80));
      seen = busy.visible;
    });
    assert.ok(seen, "visible during slow work");
    assert.ok(!busy.visible, "hidden after");
    await busy.run(async () => undefined);
    assert.equal(busy.bar.layout.visibility, "hidden");
  });
});
