import { strict as assert } from "node:assert";
import { DeepVizError } from "../../src/errors";
import * as widgets from "../../widgets/src";
import { FakeCommManager, installFake, tick, uninstallFake } from "./fake-comm-manager";

describe("widgets: standard controls", () => {
  let fe: FakeCommManager;
  beforeEach(() => {
    fe = installFake();
  });
  afterEach(() => uninstallFake());

  const openState = (w: widgets.Widget) => fe.sent.find((m) => m.kind === "open" && m.commId === w.modelId)!.data.state;

  it("use the ipywidgets 8 model and view names with their style models", async () => {
    const all: Array<[widgets.Widget, string, string, string | null]> = [
      [new widgets.IntSlider(), "IntSliderModel", "IntSliderView", "SliderStyleModel"],
      [new widgets.FloatSlider(), "FloatSliderModel", "FloatSliderView", "SliderStyleModel"],
      [new widgets.Dropdown({ options: ["a"] }), "DropdownModel", "DropdownView", "DescriptionStyleModel"],
      [new widgets.ToggleButtons({ options: ["a"] }), "ToggleButtonsModel", "ToggleButtonsView", "ToggleButtonsStyleModel"],
      [new widgets.Checkbox(), "CheckboxModel", "CheckboxView", "CheckboxStyleModel"],
      [new widgets.Button(), "ButtonModel", "ButtonView", "ButtonStyleModel"],
      [new widgets.Play(), "PlayModel", "PlayView", "DescriptionStyleModel"],
      [new widgets.Text(), "TextModel", "TextView", "TextStyleModel"],
      [new widgets.Label(), "LabelModel", "LabelView", "LabelStyleModel"],
      [new widgets.HTML(), "HTMLModel", "HTMLView", "HTMLStyleModel"],
      [new widgets.Image(), "ImageModel", "ImageView", null],
      [new widgets.IntProgress(), "IntProgressModel", "ProgressView", "ProgressStyleModel"],
      [new widgets.HBox(), "HBoxModel", "HBoxView", null],
      [new widgets.VBox(), "VBoxModel", "VBoxView", null],
      [new widgets.Output(), "OutputModel", "OutputView", null],
    ];
    await tick();
    for (const [w, model, view, style] of all) {
      const st = openState(w);
      assert.equal(st._model_name, model);
      assert.equal(st._view_name, view);
      assert.equal(st._model_module_version, model === "OutputModel" ? "1.0.0" : "2.0.0");
      if (style) assert.equal(openState((w as any).style)._model_name, style);
      assert.equal(openState((w as any).layout)._model_name, "LayoutModel");
    }
    assert.equal(openState(all[14][0])._model_module, "@jupyter-widgets/output");
  });

  it("Dropdown: labels and index go to the front end; value, label and options stay in the kernel", async () => {
    const d = new widgets.Dropdown<any>({
      options: [
        ["ReLU", 1],
        ["Conv", 2],
        ["Pool", 3],
      ] as const,
      value: 2,
      description: "layer",
    });
    await tick();
    const st = openState(d);
    assert.deepEqual(st._options_labels, ["ReLU", "Conv", "Pool"]);
    assert.equal(st.index, 1);
    assert.equal(d.value, 2);
    assert.equal(d.label, "Conv");
    const seen: unknown[] = [];
    d.observe((c) => void seen.push([c.name, c.old, c.new]));
    fe.clear();
    fe.receive(d.modelId, { method: "update", state: { index: 2 }, buffer_paths: [] });
    assert.equal(d.value, 3);
    assert.deepEqual(seen, [
      ["index", 1, 2],
      ["value", 2, 3],
      ["label", "Conv", "Pool"],
    ]);
    d.value = 1;
    assert.deepEqual(fe.sent.at(-1)!.data.state, { index: 0 });
    d.label = "Pool";
    d.options = ["x", "y"];
    assert.deepEqual(fe.sent.at(-1)!.data.state, { _options_labels: ["x", "y"], index: 0 });
    assert.equal(d.value, "x");
    assert.throws(
      () => (d.value = "z"),
      (e: Error) => e instanceof DeepVizError && /x, y/.test(e.message),
    );
    const t = new widgets.ToggleButtons({ options: ["gradCam", "saliency"], value: "saliency", tooltips: ["a", "b"] });
    await tick();
    assert.equal(openState(t).index, 1);
    assert.deepEqual(openState(t).tooltips, ["a", "b"]);
  });

  it("boxes refer to their children by IPY_MODEL id and open them first", async () => {
    const a = new widgets.Label({ value: "a" });
    const b = new widgets.Label({ value: "b" });
    const box = new widgets.VBox([a, b]);
    await tick();
    const order = fe.sent.filter((m) => m.kind === "open").map((m) => m.commId);
    assert.ok(order.indexOf(a.modelId) < order.indexOf(box.modelId));
    assert.deepEqual(openState(box).children, [`IPY_MODEL_${a.modelId}`, `IPY_MODEL_${b.modelId}`]);
    const c = new widgets.Label({ value: "c" });
    box.children = [c, a];
    // c opened before the update that refers to it
    const msgs = fe.sent.slice(-2);
    assert.equal(msgs[0].kind, "open");
    assert.equal(msgs[0].commId, c.modelId);
    assert.deepEqual(msgs[1].data.state.children, [`IPY_MODEL_${c.modelId}`, `IPY_MODEL_${a.modelId}`]);
    // A front-end update naming children resolves them to the widgets.
    fe.receive(box.modelId, { method: "update", state: { children: [`IPY_MODEL_${b.modelId}`] }, buffer_paths: [] });
    assert.equal(box.children[0], b);
  });

  it("Output collects displayed values and streams as nbformat outputs", async () => {
    const out = new widgets.Output();
    const s = new widgets.IntSlider({ value: 1 });
    out.append("hello", s, { n: 42 });
    out.appendStdout("line\n");
    assert.deepEqual(out.outputs[0], { output_type: "display_data", data: { "text/plain": "hello" }, metadata: {} });
    assert.equal((out.outputs[1] as any).data["application/vnd.jupyter.widget-view+json"].model_id, s.modelId);
    // a value with no display of its own shows as its text, as a cell's value does
    assert.deepEqual(out.outputs[2], { output_type: "display_data", data: { "text/plain": "{ n: 42 }" }, metadata: {} });
    assert.deepEqual(out.outputs[3], { output_type: "stream", name: "stdout", text: "line\n" });
    out.clear();
    assert.deepEqual(out.outputs, []);
  });

  it("link keeps two attributes equal in the kernel; jslink makes a LinkModel for the browser", async () => {
    const a = new widgets.IntSlider({ value: 3 });
    const b = new widgets.IntSlider({ value: 0 });
    const l = widgets.link([a, "value"], [b, "value"]);
    assert.equal(b.value, 3);
    a.value = 5;
    assert.equal(b.value, 5);
    b.value = 8;
    assert.equal(a.value, 8);
    l.unlink();
    a.value = 1;
    assert.equal(b.value, 8);
    const p = new widgets.FloatSlider();
    const d = widgets.dlink([a, "value"], [p, "value"], (v) => v / 10);
    a.value = 4;
    assert.equal(p.value, 0.4);
    d.unlink();
    const js = widgets.jslink([a, "value"], [b, "max"]);
    await tick();
    const st = openState(js);
    assert.equal(st._model_name, "LinkModel");
    assert.equal(st._view_name, null);
    assert.deepEqual(st.source, [`IPY_MODEL_${a.modelId}`, "value"]);
    assert.deepEqual(st.target, [`IPY_MODEL_${b.modelId}`, "max"]);
    assert.throws(() => widgets.jslink([a, "nope"], [b, "value"]), /no attribute "nope"/);
  });
});
