import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../entry/src";
import * as widgets from "../../widgets/src";
import { smallCnn } from "../helpers/models";
import { FakeCommManager, installFake, tick, uninstallFake } from "./fake-comm-manager";

const image8 = () =>
  tf.tensor3d(
    Array.from({ length: 8 * 8 * 3 }, (_, i) => ((i * 37) % 101) / 100),
    [8, 8, 3],
  );
const move = (fe: FakeCommManager, w: widgets.Widget, state: Record<string, unknown>) =>
  fe.receive(w.modelId, { method: "update", state, buffer_paths: [] });
/** Update messages the kernel sent to `w` that carry `key`. */
const updatesOf = (fe: FakeCommManager, w: widgets.Widget, key: string) =>
  fe.sent.filter(
    (m) =>
      m.commId === w.modelId &&
      m.data.method === "update" &&
      (key in m.data.state || m.data.buffer_paths.some((p: string[]) => p[0] === key)),
  );
const stderrOf = (out: widgets.Output) =>
  out.outputs
    .filter((o) => o.output_type === "stream" && o.name === "stderr")
    .map((o) => (o as { text: string }).text)
    .join("");

describe("widgets: explorers stay alive, coalesce, and report in their own output", function () {
  this.timeout(60000);
  let fe: FakeCommManager;
  let model: tf.LayersModel;
  before(async () => {
    await dv.backend();
    model = smallCnn(3);
  });
  beforeEach(() => {
    fe = installFake();
  });
  afterEach(() => uninstallFake());

  it("every explorer slider is coalesced: 500 moves that arrive together draw once, at the last value", async () => {
    const image = image8();
    const ex = await dv.layerExplorer(model, image);
    const np = await dv.neuronPicker(model, image, { layer: "conv1" });
    await tick();
    const cases: Array<[string, widgets.Widget, widgets.Heatmap | widgets.FeatureGrid, string, (i: number) => number]> = [
      ["layerExplorer channel", ex.channelSlider, ex.heatmap, "map", (i) => i % 4],
      ["layerExplorer layer", ex.layerSlider, ex.grid, "data", (i) => (i + 1) % 3],
      ["neuronPicker channel", np.channel, np.activation, "map", (i) => (i + 2) % 4],
    ];
    for (const [name, slider, view, key, value] of cases) {
      fe.clear();
      for (let i = 0; i < 500; i++) move(fe, slider, { value: value(i) });
      await Promise.all([ex.idle(), np.idle()]);
      assert.equal(updatesOf(fe, view, key).length, 1, `${name}: redraws for 500 moves`);
      assert.equal((slider as any).value, value(499), `${name}: the last move wins`);
    }
    // the channel drawn is the one asked for last: layer conv2 (index 2 = value(499) of the layer case), channel 3
    const acts = await dv.layerActivation(model, image, { layer: ex.layer.name });
    const c = ex.channelSlider.value;
    const expected = tf.tidy(() => tf.slice(acts.values, [0, 0, c], [-1, -1, 1]).dataSync());
    acts.dispose();
    ex.heatmap.map!.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `map[${i}]`));
    ex.close();
    np.close();
    image.dispose();
  });

  it("keeps working after the notebook disposes the image it was given (it owns a copy)", async () => {
    const image = image8();
    const before = tf.memory().numTensors;
    const ex = await dv.layerExplorer(model, image);
    const picked = ex.heatmap.map!.slice();
    image.dispose(); // what a lesson's clean-up cell does
    move(fe, ex.channelSlider, { value: 1 });
    await ex.idle();
    assert.equal(stderrOf(ex.output), "", "no error");
    assert.notDeepEqual([...ex.heatmap.map!], [...picked], "channel 1 drawn");
    assert.match(ex.heatmap.title, /conv1 channel 1/);
    ex.close();
    assert.equal(tf.memory().numTensors, before - 1, "close() frees the copy; nothing else is left");
  });

  it("a disposed model is reported in the explorer's output, not thrown into another cell", async () => {
    const own = smallCnn(3);
    const image = image8();
    const ex = await dv.layerExplorer(own, image);
    const drawn = ex.heatmap.map!.slice();
    own.dispose();
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      move(fe, ex.channelSlider, { value: 2 });
      await ex.idle();
    } finally {
      process.stderr.write = write;
    }
    assert.match(stderrOf(ex.output), /model this explorer shows was disposed.*run the explorer's cell again/);
    assert.deepEqual(written, [], "nothing reached the kernel's stderr (the current cell)");
    assert.deepEqual([...ex.heatmap.map!], [...drawn], "the old picture stays");
    ex.close();
    image.dispose();
  });

  it("prints and errors of the user's own callbacks on an explorer's controls land in its output", async () => {
    const image = image8();
    const ex = await dv.layerExplorer(model, image);
    ex.channelSlider.observe((c) => console.log(`channel is now ${c.new}`), "value");
    ex.channelSlider.observe((c) => {
      if (c.new === 3) throw new Error("no channel 3 for me");
    }, "value");
    move(fe, ex.channelSlider, { value: 2 });
    move(fe, ex.channelSlider, { value: 3 });
    await ex.idle();
    const stdout = ex.output.outputs.filter((o) => o.output_type === "stream" && o.name === "stdout");
    assert.deepEqual(
      stdout.map((o) => (o as { text: string }).text),
      ["channel is now 2\nchannel is now 3\n"],
    );
    assert.match(stderrOf(ex.output), /Error in an observer of IntSlider\.value: .*no channel 3 for me/s);
    // the explorer's own redraw still ran
    assert.match(ex.heatmap.title, /channel 3/);
    ex.close();
    image.dispose();
  });

  it("close() closes every part's comm and frees the image copy", async () => {
    const image = image8();
    const ax = await dv.attributionExplorer(model, image);
    const before = tf.memory().numTensors;
    ax.close();
    assert.equal(tf.memory().numTensors, before - 1);
    for (const w of [ax, ax.heatmap, ax.method, ax.opacity, ax.output]) assert.ok(w.closed, `${w.constructor.name} closed`);
    assert.ok(fe.sent.some((m) => m.kind === "close" && m.commId === ax.heatmap.modelId));
    image.dispose();
  });

  it("bad input leaves no tensor behind", async () => {
    const image = image8();
    const dense = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 3] }), tf.layers.dense({ units: 2 })] });
    const before = tf.memory().numTensors;
    await assert.rejects(dv.layerExplorer(dense, image), /no layer with spatial axes/);
    assert.throws(
      () => new widgets.AttributionExplorer(model, image, [1, 0, 0], { methods: ["nope"] }),
      /none of the methods nope/,
    );
    assert.equal(tf.memory().numTensors, before);
    dense.dispose();
    image.dispose();
  });
});

describe("widgets: Output.capture", () => {
  beforeEach(() => installFake());
  afterEach(() => uninstallFake());

  it("collects prints of sync and async code, shows the error instead of throwing it, and leaves other output alone", async () => {
    const out = new widgets.Output();
    const outside: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => (outside.push(String(chunk)), true)) as typeof process.stdout.write;
    let later: Promise<unknown>;
    try {
      out.capture(() => console.log("one"));
      later = out.capture(async () => {
        await new Promise((r) => setTimeout(r, 5));
        console.log("two");
        throw new Error("three");
      })!;
      console.log("not captured");
      await later;
      console.error("also not captured");
    } finally {
      process.stdout.write = write;
    }
    assert.deepEqual(out.outputs, [
      { output_type: "stream", name: "stdout", text: "one\ntwo\n" },
      { output_type: "stream", name: "stderr", text: "Error: three\n" },
    ]);
    assert.deepEqual(outside, ["not captured\n"]);
    assert.equal(
      out.capture(() => 7),
      7,
    );
  });
});
