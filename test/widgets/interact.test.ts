import { strict as assert } from "node:assert";
import * as widgets from "../../widgets/src";
import { FakeCommManager, installFake, tick, uninstallFake } from "./fake-comm-manager";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("widgets: latestWins", () => {
  it("runs one call at a time and, of those arriving meanwhile, only the latest", async () => {
    const ran: number[] = [];
    const run = widgets.latestWins(async (n: number) => {
      ran.push(n);
      await sleep(20);
    });
    for (let i = 1; i <= 10; i++) void run(i);
    assert.ok(run.running);
    await run.idle();
    assert.deepEqual(ran, [1, 10]);
    assert.ok(!run.running);
  });

  it("aborts the running call's signal when a newer call arrives; that AbortError is not reported", async () => {
    const errors: unknown[] = [];
    const ran: Array<[number, string]> = [];
    const run = widgets.latestWins(
      async (n: number) => {
        const signal = run.signal!;
        await sleep(30);
        ran.push([n, signal.aborted ? "aborted" : "ran"]);
        if (signal.aborted) throw Object.assign(new Error("stopped"), { name: "AbortError" });
        if (n === 3) throw Object.assign(new Error("not from the signal"), { name: "AbortError" });
      },
      (e) => errors.push((e as Error).message),
    );
    void run(1);
    await sleep(5);
    assert.equal(run.signal?.aborted, false);
    void run(2);
    await run.idle();
    assert.deepEqual(ran, [
      [1, "aborted"],
      [2, "ran"],
    ]);
    assert.equal(run.signal, undefined); // idle: no run, no signal
    await run(3); // an AbortError its own signal did not cause is an error
    assert.deepEqual(errors, ["not from the signal"]);
  });

  it("reports an error and keeps serving later calls", async () => {
    const errors: unknown[] = [];
    const ran: number[] = [];
    const run = widgets.latestWins(
      async (n: number) => {
        ran.push(n);
        if (n === 1) throw new Error("boom");
      },
      (e) => errors.push((e as Error).message),
    );
    await run(1);
    await run(2);
    assert.deepEqual(ran, [1, 2]);
    assert.deepEqual(errors, ["boom"]);
  });
});

describe("widgets: interact", () => {
  let fe: FakeCommManager;
  beforeEach(() => {
    fe = installFake();
  });
  afterEach(() => uninstallFake());

  it("builds controls from abbreviations, shows the result and reruns on change", async () => {
    const calls: unknown[] = [];
    const box = widgets.interact(
      (v) => {
        calls.push(v);
        return `${v.layer}:${v.channel}:${v.scale}:${v.abs}`;
      },
      { layer: ["conv1", "conv2"], channel: [0, 7], scale: [0, 1, 0.5], abs: true, fixedOne: widgets.fixed(42) },
    );
    const c = box.controls;
    assert.ok(c.layer instanceof widgets.Dropdown);
    assert.ok(c.channel instanceof widgets.IntSlider);
    assert.equal((c.channel as widgets.IntSlider).max, 7);
    assert.equal((c.channel as widgets.IntSlider).value, 4);
    assert.ok(c.scale instanceof widgets.FloatSlider);
    assert.equal((c.scale as widgets.FloatSlider).step, 0.5);
    assert.ok(c.abs instanceof widgets.Checkbox);
    assert.equal(c.fixedOne, undefined);
    assert.equal(fe.displayed.length, 1, "interact displays itself in a kernel");
    const hook = (box as any)[Symbol.for("Jupyter.display")]();
    assert.deepEqual(Object.keys(hook), ["text/plain"], "as a cell's last value it shows no second copy");
    await box.update();
    assert.deepEqual(calls[0], { layer: "conv1", channel: 4, scale: 0.5, abs: true, fixedOne: 42 });
    assert.deepEqual(box.output.outputs, [
      { output_type: "display_data", data: { "text/plain": "conv1:4:0.5:true" }, metadata: {} },
    ]);
    fe.receive(c.channel.modelId, { method: "update", state: { value: 6 }, buffer_paths: [] });
    await tick();
    await box.update();
    assert.equal(box.result, "conv1:6:0.5:true");
    assert.deepEqual(box.children.slice(0, 4), [c.layer, c.channel, c.scale, c.abs]);
    assert.equal(box.children[4], box.output);
  });

  it("coalesces rapid changes while a slow function runs and shows errors in its output", async () => {
    const seen: number[] = [];
    const box = widgets.interactive(
      async ({ n }) => {
        seen.push(n);
        await sleep(30);
        if (n === 13) throw new Error("unlucky");
        return n;
      },
      { n: [0, 20] },
    );
    await tick();
    for (let v = 1; v <= 12; v++) fe.receive(box.controls.n.modelId, { method: "update", state: { value: v }, buffer_paths: [] });
    await box.update();
    assert.ok(seen.length <= 3, `ran ${seen.length} times: ${seen}`);
    assert.equal(seen.at(-1), 12);
    assert.equal(box.result, 12);
    (box.controls.n as widgets.IntSlider).value = 13;
    await sleep(5);
    await box.update();
    // The failing run wrote its error, the following update ran with 13 again.
    assert.ok(box.output.outputs.some((o) => o.output_type === "stream" && /unlucky/.test(o.text)));
  });
});
