import { strict as assert } from "node:assert";
import { DeepVizError } from "../../src/errors";
import * as widgets from "../../widgets/src";
import { COMM_MANAGER_KEY } from "../../kernel-ext/src/comm-api";
import { FakeCommManager, installFake, tick, uninstallFake } from "./fake-comm-manager";

const installFakeAgain = (m: FakeCommManager) => ((globalThis as Record<symbol, unknown>)[COMM_MANAGER_KEY] = m);

describe("widgets: state sync over the comm (protocol 2.1.0)", () => {
  let fe: FakeCommManager;
  beforeEach(() => {
    fe = installFake();
  });
  afterEach(() => uninstallFake());

  it("opens one jupyter.widget comm per model, references first, with the full state and version metadata", async () => {
    const s = new widgets.IntSlider({ value: 5, min: 0, max: 10, description: "layer", layout: { width: "300px" } });
    await tick();
    const opens = fe.sent.filter((m) => m.kind === "open");
    assert.deepEqual(
      opens.map((o) => o.commId),
      [s.layout.modelId, s.style.modelId, s.modelId],
    );
    const open = opens[2];
    assert.equal(open.targetName, "jupyter.widget");
    assert.deepEqual(open.metadata, { version: "2.1.0" });
    const st = open.data.state;
    assert.equal(st._model_name, "IntSliderModel");
    assert.equal(st._model_module, "@jupyter-widgets/controls");
    assert.equal(st._model_module_version, "2.0.0");
    assert.equal(st._view_name, "IntSliderView");
    assert.equal(st.value, 5);
    assert.equal(st.max, 10);
    assert.equal(st.description, "layer");
    assert.equal(st.readout_format, "d");
    assert.equal(st.layout, `IPY_MODEL_${s.layout.modelId}`);
    assert.equal(st.style, `IPY_MODEL_${s.style.modelId}`);
    assert.deepEqual(open.data.buffer_paths, []);
    const layoutState = opens[0].data.state;
    assert.equal(layoutState._model_name, "LayoutModel");
    assert.equal(layoutState._model_module, "@jupyter-widgets/base");
    assert.equal(layoutState.width, "300px");
    assert.equal(layoutState.height, null);
    assert.equal(opens[1].data.state._model_name, "SliderStyleModel");
    assert.equal(opens[1].data.state._view_module, "@jupyter-widgets/base");
  });

  it("sends a partial update for a kernel-side change, none for an unchanged value, and fires observers", async () => {
    const s = new widgets.IntSlider({ value: 5, max: 10 });
    await tick();
    fe.clear();
    const seen: unknown[] = [];
    s.observe((c) => void seen.push([c.name, c.old, c.new]), "value");
    s.value = 7;
    s.value = 7;
    assert.deepEqual(
      fe.sent.map((m) => m.data),
      [{ method: "update", state: { value: 7 }, buffer_paths: [] }],
    );
    assert.deepEqual(seen, [["value", 5, 7]]);
    s.value = 99; // clamped by max
    assert.equal(s.value, 10);
    assert.deepEqual(fe.sent[1].data.state, { value: 10 });
    s.set({ description: "d", min: 2 });
    assert.equal(fe.sent.length, 3, "set() sends one message");
    assert.deepEqual(fe.sent[2].data.state, { description: "d", min: 2 });
  });

  it("answers a front-end update with an echo_update parented to it, then applies it and tells observers", async () => {
    const s = new widgets.IntSlider({ value: 1, max: 10 });
    await tick();
    fe.clear();
    const seen: unknown[] = [];
    s.observe((c) => void seen.push([c.name, c.new, s.value]));
    const id = fe.receive(s.modelId, { method: "update", state: { value: 4 }, buffer_paths: [] });
    assert.equal(s.value, 4);
    assert.deepEqual(seen, [["value", 4, 4]]);
    assert.deepEqual(
      fe.sent.map((m) => [m.data, m.parent]),
      [[{ method: "echo_update", state: { value: 4 }, buffer_paths: [] }, id]],
    );
  });

  it("an async observer busy with a front-end change gets only the latest of those that arrive meanwhile, never two at once", async () => {
    const s = new widgets.IntSlider({ value: 0, max: 10 });
    await tick();
    const started: number[] = [];
    const finished: number[] = [];
    const syncSeen: number[] = [];
    let running = 0;
    let most = 0;
    const gates: Array<() => void> = [];
    s.observe(async (c) => {
      started.push(c.new as number);
      most = Math.max(most, ++running);
      await new Promise<void>((r) => gates.push(r));
      running--;
      finished.push(c.new as number);
    }, "value");
    s.observe((c) => void syncSeen.push(c.new as number), "value");
    for (const v of [1, 2, 3, 4]) fe.receive(s.modelId, { method: "update", state: { value: v }, buffer_paths: [] });
    assert.equal(s.value, 4);
    assert.deepEqual(syncSeen, [1, 2, 3, 4]); // a synchronous observer sees every change, at once
    assert.deepEqual(started, [1]); // 2 and 3 were overtaken while 1 ran
    gates.shift()!();
    await tick();
    assert.deepEqual(started, [1, 4]);
    gates.shift()!();
    await tick();
    assert.deepEqual(finished, [1, 4]);
    assert.equal(most, 1);
    // once idle, the next change runs at once again; kernel-side changes are not held back
    fe.receive(s.modelId, { method: "update", state: { value: 5 }, buffer_paths: [] });
    s.value = 6;
    assert.deepEqual(started, [1, 4, 5, 6]);
    gates.splice(0).forEach((g) => g());
    await tick();
  });

  it("sends back a value the kernel corrected, and what observers change, but not their echo of the value", async () => {
    const s = new widgets.IntSlider({ value: 1, max: 10 });
    const label = new widgets.Label();
    await tick();
    s.observe((c) => {
      s.value = c.new as number; // same as received: no message
      label.value = `at ${c.new}`;
      s.description = "moved";
    }, "value");
    fe.clear();
    const id = fe.receive(s.modelId, { method: "update", state: { value: 50 }, buffer_paths: [] });
    const msgs = fe.sent.map((m) => [m.commId === s.modelId ? "slider" : "label", m.data.method, m.data.state, m.parent]);
    assert.deepEqual(msgs, [
      ["slider", "echo_update", { value: 50 }, id],
      ["slider", "update", { value: 10 }, id],
      ["label", "update", { value: "at 10" }, id],
      ["slider", "update", { description: "moved" }, id],
    ]);
  });

  it("applies a partial update without touching other attributes", async () => {
    const s = new widgets.FloatSlider({ value: 0.5, max: 1, step: 0.25 });
    await tick();
    fe.receive(s.modelId, { method: "update", state: { description: "opacity" }, buffer_paths: [] });
    assert.equal(s.description, "opacity");
    assert.equal(s.value, 0.5);
    assert.equal(s.step, 0.25);
  });

  it("round-trips binary values: outgoing and incoming buffers, echoed with their paths", async () => {
    const png = new Uint8Array([137, 80, 78, 71]);
    const img = new widgets.Image({ value: png, format: "png", width: "64" });
    await tick();
    const open = fe.sent.find((m) => m.kind === "open" && m.commId === img.modelId)!;
    assert.deepEqual(open.data.buffer_paths, [["value"]]);
    assert.equal(open.data.state.value, undefined);
    assert.equal(open.data.state.width, "64");
    assert.deepEqual([...open.buffers[0]], [137, 80, 78, 71]);
    fe.clear();
    img.value = new Uint8Array([1, 2]);
    assert.deepEqual(fe.sent[0].data, { method: "update", state: {}, buffer_paths: [["value"]] });
    assert.deepEqual([...fe.sent[0].buffers[0]], [1, 2]);
    fe.clear();
    img.value = new Uint8Array([1, 2]); // same bytes: no message
    assert.equal(fe.sent.length, 0);
    fe.receive(img.modelId, { method: "update", state: { format: "jpeg" }, buffer_paths: [["value"]] }, [
      new Uint8Array([9, 9, 9]),
    ]);
    assert.deepEqual([...img.value], [9, 9, 9]);
    assert.equal(img.format, "jpeg");
    assert.deepEqual(fe.sent[0].data, { method: "echo_update", state: { format: "jpeg" }, buffer_paths: [["value"]] });
    assert.deepEqual([...fe.sent[0].buffers[0]], [9, 9, 9]);
  });

  it("lays out buffers nested in objects and lists in a custom model's state", async () => {
    class Planes extends widgets.widgetClass(
      { model: "PlanesModel", module: "test-module", moduleVersion: "0.1.0", view: "PlanesView" },
      { data: { name: "x", planes: [] as unknown[] } },
    ) {}
    const a = new Uint8Array([1]);
    const b = new Float32Array([2.5]);
    const w = new Planes({ data: { name: "p", planes: [a, { inner: b, n: 3 }] } });
    await tick();
    const open = fe.sent.find((m) => m.commId === w.modelId)!;
    assert.deepEqual(open.data.state.data, { name: "p", planes: [null, { n: 3 }] });
    assert.deepEqual(open.data.buffer_paths, [
      ["data", "planes", 0],
      ["data", "planes", 1, "inner"],
    ]);
    assert.deepEqual([...open.buffers[0]], [1]);
    assert.deepEqual([...new Float32Array(open.buffers[1].buffer)], [2.5]);
    // The front end sends the same layout back.
    fe.receive(
      w.modelId,
      {
        method: "update",
        state: { data: { name: "q", planes: [null, { n: 4 }] } },
        buffer_paths: [
          ["data", "planes", 0],
          ["data", "planes", 1, "inner"],
        ],
      },
      [new Uint8Array([5]), new Uint8Array(new Float32Array([-1]).buffer)],
    );
    const planes = (w.data as any).planes;
    assert.equal((w.data as any).name, "q");
    assert.deepEqual([...planes[0]], [5]);
    assert.deepEqual([...new Float32Array(planes[1].inner.slice().buffer)], [-1]);
    assert.equal(planes[1].n, 4);
  });

  it("answers request_state with a full update parented to the request", async () => {
    const img = new widgets.Image({ value: new Uint8Array([3, 4]) });
    await tick();
    fe.clear();
    const id = fe.receive(img.modelId, { method: "request_state" });
    assert.equal(fe.sent.length, 1);
    const m = fe.sent[0];
    assert.equal(m.parent, id);
    assert.equal(m.data.method, "update");
    assert.equal(m.data.state._model_name, "ImageModel");
    assert.equal(m.data.state.layout, `IPY_MODEL_${img.layout.modelId}`);
    assert.deepEqual(m.data.buffer_paths, [["value"]]);
    assert.deepEqual([...m.buffers[0]], [3, 4]);
  });

  it("answers the control comm's request_states with every widget of this kernel, buffers keyed by id", async () => {
    // A widget of another kernel process (another CommManager) must not show up.
    const other = installFake();
    const foreign = new widgets.Label({ value: "elsewhere" });
    await tick();
    installFakeAgain(fe);
    const img = new widgets.Image({ value: new Uint8Array([7, 8]) });
    const box = new widgets.HBox([img]);
    await tick();
    assert.ok(other.sent.some((m) => m.commId === foreign.modelId));
    const ctl = fe.frontendOpen("jupyter.widget.control", "ctl-1");
    fe.clear();
    const id = fe.receive(ctl.commId, { method: "request_states" });
    assert.equal(fe.sent.length, 1);
    const reply = fe.sent[0];
    assert.equal(reply.parent, id);
    assert.equal(reply.data.method, "update_states");
    const ids = fe.sent.length && Object.keys(reply.data.states);
    for (const w of [img, img.layout, box, box.layout]) assert.ok(ids.includes(w.modelId), `${w.constructor.name} listed`);
    assert.ok(!ids.includes(foreign.modelId));
    const entry = reply.data.states[img.modelId];
    assert.equal(entry.model_name, "ImageModel");
    assert.equal(entry.model_module, "@jupyter-widgets/controls");
    assert.equal(entry.model_module_version, "2.0.0");
    assert.equal(entry.state.value, undefined);
    assert.deepEqual(reply.data.states[box.modelId].state.children, [`IPY_MODEL_${img.modelId}`]);
    const k = reply.data.buffer_paths.findIndex((p: unknown[]) => p[0] === img.modelId);
    assert.deepEqual(reply.data.buffer_paths[k], [img.modelId, "value"]);
    assert.deepEqual([...reply.buffers[k]], [7, 8]);
    assert.equal(reply.buffers.length, reply.data.buffer_paths.length);
  });

  it("delivers custom messages both ways; a Button click arrives as {event: 'click'}", async () => {
    const b = new widgets.Button({ description: "go" });
    await tick();
    let clicks = 0;
    b.onClick(() => void clicks++);
    const got: unknown[] = [];
    b.onMsg((content, buffers) => void got.push([content, buffers.map((x) => [...x])]));
    fe.receive(b.modelId, { method: "custom", content: { event: "click" } });
    fe.receive(b.modelId, { method: "custom", content: { x: 1 } }, [new Uint8Array([5])]);
    assert.equal(clicks, 1);
    assert.deepEqual(got, [
      [{ event: "click" }, []],
      [{ x: 1 }, [[5]]],
    ]);
    fe.clear();
    b.send({ hello: true }, [new Uint8Array([1, 2])]);
    assert.deepEqual(fe.sent[0].data, { method: "custom", content: { hello: true } });
    assert.deepEqual([...fe.sent[0].buffers[0]], [1, 2]);
  });

  it("displays with the widget-view MIME type and text/plain, also through Symbol.for('Jupyter.display')", async () => {
    const s = new widgets.IntSlider({ value: 3 });
    s.show(); // before the microtask: display opens the comm first
    assert.equal(fe.sent.filter((m) => m.kind === "open").at(-1)!.commId, s.modelId);
    assert.deepEqual(fe.displayed[0], {
      "application/vnd.jupyter.widget-view+json": { version_major: 2, version_minor: 0, model_id: s.modelId },
      "text/plain": "IntSlider(value=3)",
    });
    assert.deepEqual((s as any)[Symbol.for("Jupyter.display")](), fe.displayed[0]);
    await tick();
    assert.equal(fe.sent.filter((m) => m.commId === s.modelId && m.kind === "open").length, 1, "opened once");
  });

  it("closes from the kernel (comm_close) and stops syncing after a front-end close", async () => {
    const a = new widgets.Checkbox({ value: true });
    const b = new widgets.Checkbox();
    await tick();
    fe.clear();
    a.close();
    assert.deepEqual(
      fe.sent.map((m) => [m.kind, m.commId]),
      [["close", a.modelId]],
    );
    assert.ok(a.closed);
    fe.frontendClose(b.modelId);
    assert.ok(b.closed);
    fe.clear();
    a.value = false;
    b.value = true;
    assert.equal(fe.sent.length, 0);
    const ctl = fe.frontendOpen("jupyter.widget.control", "ctl-2");
    fe.receive(ctl.commId, { method: "request_states" });
    const listed = Object.keys(fe.sent.at(-1)!.data.states);
    assert.ok(!listed.includes(a.modelId) && !listed.includes(b.modelId));
  });

  it("rejects unknown attributes and wrong types with a DeepVizError", () => {
    assert.throws(
      () => new widgets.IntSlider({ valeu: 3 } as any),
      (e: Error) => e instanceof DeepVizError && /attributes are: .*value/.test(e.message),
    );
    const s = new widgets.IntSlider();
    assert.throws(() => ((s as any).value = "3"), DeepVizError);
    assert.throws(() => (s.max = -5), /must not be below min/);
  });
});

describe("widgets: without a kernel", () => {
  it("keeps state locally, shows text only, and show() says what is missing", async () => {
    uninstallFake();
    const s = new widgets.IntSlider({ value: 2 });
    await tick();
    s.value = 3;
    assert.equal(s.value, 3);
    assert.deepEqual(s.mimeBundle(), { "text/plain": "IntSlider(value=3)" });
    assert.throws(
      () => s.show(),
      (e: Error) => e instanceof DeepVizError && /DeepViz kernel/.test(e.message),
    );
  });
});
