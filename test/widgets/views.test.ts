import { strict as assert } from "node:assert";
import * as widgets from "../../widgets/src";
import { FakeCommManager, installFake, tick, uninstallFake } from "./fake-comm-manager";

describe("widgets: DeepViz view models (kernel side)", () => {
  let fe: FakeCommManager;
  beforeEach(() => {
    fe = installFake();
  });
  afterEach(() => uninstallFake());

  it("Heatmap sends image and map as buffers, names the deepviz-widgets module, and reports clicks", async () => {
    const h = new widgets.Heatmap({ colormap: "jet", opacity: 0.3 });
    h.setImage([0, 128, 255, 10], 2, 2); // gray → RGBA
    h.setMap([0.1, -2, 3.5, 0], 2, 2);
    await tick();
    const open = fe.sent.find((m) => m.kind === "open" && m.commId === h.modelId)!;
    const st = open.data.state;
    assert.equal(st._model_name, "HeatmapModel");
    assert.equal(st._model_module, "deepviz-widgets");
    assert.equal(st._model_module_version, "0.1.0");
    assert.equal(st._view_name, "HeatmapView");
    assert.equal(st.colormap, "jet");
    assert.deepEqual([st.image_width, st.map_height], [2, 2]);
    assert.deepEqual(open.data.buffer_paths, [["image"], ["map"]]);
    assert.deepEqual([...open.buffers[0]], [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 10, 10, 10, 255]);
    assert.deepEqual([...new Float32Array(open.buffers[1].buffer)], [0.10000000149011612, -2, 3.5, 0]);
    const clicks: unknown[] = [];
    h.onClick((c) => void clicks.push(c));
    fe.receive(h.modelId, { method: "custom", content: { event: "click", x: 1, y: 0, value: -2, image_x: 1, image_y: 0 } });
    assert.deepEqual(clicks, [{ event: "click", x: 1, y: 0, value: -2, image_x: 1, image_y: 0 }]);
    // Opacity changed in the page arrives as an ordinary update.
    fe.receive(h.modelId, { method: "update", state: { opacity: 0.8 }, buffer_paths: [] });
    assert.equal(h.opacity, 0.8);
    assert.throws(() => h.setMap([1, 2, 3], 2, 2), /needs 4 values/);
  });

  it("FeatureGrid carries all channels in one buffer; a tile click in the page sets selected", async () => {
    const g = new widgets.FeatureGrid();
    const data = Float32Array.from({ length: 3 * 2 * 2 }, (_, i) => i);
    g.setMaps(data, 3, 2, 2);
    await tick();
    const open = fe.sent.find((m) => m.kind === "open" && m.commId === g.modelId)!;
    assert.deepEqual(open.data.buffer_paths, [["data"]]);
    assert.equal(open.buffers[0].byteLength, 48);
    assert.equal(open.data.state.channels, 3);
    const picks: number[] = [];
    g.observe((c) => void picks.push(c.new as number), "selected");
    fe.receive(g.modelId, { method: "update", state: { selected: 2 }, buffer_paths: [] });
    assert.deepEqual(picks, [2]);
    g.setMaps(new Float32Array(4), 1, 2, 2);
    assert.equal(g.selected, -1, "a selection past the new channel count is dropped");
  });

  it("Scatter sends points, labels and thumbnails as buffers; a lasso selection comes back as indices", async () => {
    const s = new widgets.Scatter({
      points: Float32Array.from([0, 0, 1, 1, 2, 0]),
      labels: Int32Array.from([0, 1, 1]),
      label_names: ["a", "b"],
    });
    s.thumbnails = new Uint8Array(3 * 4);
    s.set({ thumb_width: 2, thumb_height: 2 });
    await tick();
    const open = fe.sent.find((m) => m.kind === "open" && m.commId === s.modelId)!;
    assert.deepEqual(open.data.buffer_paths, [["points"], ["labels"], ["thumbnails"]]);
    assert.deepEqual([...new Int32Array(open.buffers[1].buffer)], [0, 1, 1]);
    fe.receive(s.modelId, { method: "update", state: { selected: [0, 2] }, buffer_paths: [] });
    assert.deepEqual(s.selected, [0, 2]);
    assert.throws(() => (s.points = new Float32Array(3)), /x, y pairs/);
  });
});
