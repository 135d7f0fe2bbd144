import { strict as assert } from "assert";
import { getEventListeners } from "events";
import * as tf from "@tensorflow/tfjs";
import { AbortError, Progress, ProgressView, setProgressViews, withWork, Work } from "../../src/core/work";
import { progressLine } from "../../src/display/progress-view";

describe("Work: chunks, owned tensors, progress views", function () {
  this.timeout(60000);

  it("listens to the kernel cell's signal only while it runs (a cell may run many works)", () => {
    const key = Symbol.for("deepviz.kernel.cellSignal");
    const cell = new AbortController();
    const saved = (globalThis as Record<symbol, unknown>)[key];
    (globalThis as Record<symbol, unknown>)[key] = { current: () => cell.signal };
    try {
      for (let i = 0; i < 20; i++) {
        const mine = new AbortController();
        const work = new Work("test", { signal: mine.signal });
        assert.equal(getEventListeners(cell.signal, "abort").length, 1);
        work.end();
      }
      assert.equal(getEventListeners(cell.signal, "abort").length, 0, "every ended work removed its listener");
      const work = new Work("test", { signal: new AbortController().signal });
      cell.abort();
      assert.ok(work.aborted, "the cell's abort still reaches a running work");
      work.end();
    } finally {
      (globalThis as Record<symbol, unknown>)[key] = saved;
    }
  });

  it("chunks cover [0, total) in order, grow while short and never exceed maxRows", async () => {
    const work = new Work("test").plan(200, "rows");
    const ranges: Array<[number, number]> = [];
    for await (const [start, end] of work.chunks(200, 16)) {
      ranges.push([start, end]);
      const until = Date.now() + 2 * (end - start); // 2 ms a row: 16 rows take 32 ms, below 150 ms
      while (Date.now() < until);
    }
    assert.equal(ranges[0][0], 0);
    assert.equal(ranges[ranges.length - 1][1], 200);
    ranges.forEach(([s, e], i) => {
      assert.ok(e - s >= 1 && e - s <= 16);
      if (i > 0) assert.equal(s, ranges[i - 1][1]);
    });
    const sizes = ranges.map(([s, e]) => e - s);
    assert.equal(sizes[0], 4, "starts small");
    assert.ok(sizes.includes(16), `grows to maxRows while chunks are short: ${sizes}`);
    assert.ok(
      sizes.every((n) => [1, 2, 4, 8, 16].includes(n) || n === sizes[sizes.length - 1]),
      `powers of two: ${sizes}`,
    );
    work.end();
  });

  it("chunks halve while they take over 600 ms, and keep their size between 150 and 600 ms", async () => {
    const work = new Work("test").plan(100);
    const sizes: number[] = [];
    for await (const [start, end] of work.chunks(100, 64)) {
      sizes.push(end - start);
      const until = Date.now() + 200 * (end - start); // 200 ms a row
      while (Date.now() < until);
      if (sizes.length === 4) break;
    }
    work.end();
    assert.equal(sizes[0], 4);
    // 4 rows: 800 ms, halved; 2 rows: 400 ms, kept
    assert.deepEqual(sizes, [4, 2, 2, 2]);
  });

  it("frees what it keeps when it ends, failed or not, and keeps it past an enclosing tidy", async () => {
    const before = tf.memory().numTensors;
    let kept: tf.Tensor | undefined;
    await assert.rejects(
      withWork("test", {}, async (work) => {
        tf.tidy(() => {
          kept = work.tidy(() => tf.ones([3]));
        });
        assert.deepEqual(Array.from(kept!.dataSync()), [1, 1, 1], "alive after the enclosing tidy");
        await work.step();
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.ok(kept!.isDisposed);
    assert.equal(tf.memory().numTensors, before);
  });

  it("an abort during the work's turn of the event loop rejects at the next step with a clear message", async () => {
    const controller = new AbortController();
    const work = new Work("integratedGradients", { signal: controller.signal }).plan(10, "steps");
    await work.step(3);
    controller.abort();
    await assert.rejects(
      work.step(1),
      (e: Error) =>
        e instanceof AbortError && e.message === "integratedGradients was aborted after 4 of 10 steps; its tensors were freed.",
    );
    work.end(new AbortError("x"));
  });

  it("shows a view only for work over a second, redraws it a few times a second, and ends it once", async () => {
    const calls: string[] = [];
    const view: ProgressView = {
      update: (p) => calls.push(`update ${p.done}`),
      end: (p, outcome) => calls.push(`end ${outcome} ${p.done}`),
    };
    const previous = setProgressViews(() => view);
    try {
      const quick = new Work("quick").plan(3);
      for (let i = 0; i < 3; i++) await quick.step();
      quick.end();
      assert.equal(calls.length, 0, "nothing for work under a second");
      const slow = new Work("slow").plan(30);
      for (let i = 0; i < 30; i++) {
        await new Promise((r) => setTimeout(r, 60));
        await slow.step();
      }
      slow.end();
      const updates = calls.filter((c) => c.startsWith("update"));
      assert.ok(updates.length >= 2 && updates.length <= 6, `${updates.length} redraws over ~1.8 s: ${calls}`);
      assert.ok(Number(updates[0].split(" ")[1]) >= 14, "the first redraw after about a second");
      assert.equal(calls[calls.length - 1], "end done 30");
      calls.length = 0;
      const off = new Work("off", { progress: false }).plan(20);
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 70));
        await off.step();
      }
      off.end();
      assert.equal(calls.length, 0, "progress: false draws nothing");
    } finally {
      setProgressViews(previous);
    }
  });

  it("progress lines say the count, the time and what is left, or how the work ended", () => {
    const p: Progress = { task: "occlusion", done: 30, total: 120, unit: "windows", elapsedMs: 1500, etaMs: 4500 };
    assert.equal(progressLine(p), "occlusion: 30/120 windows (25%), 1.5 s, about 4.5 s left");
    assert.equal(progressLine({ ...p, done: 120, elapsedMs: 61_000 }, "done"), "occlusion: 120 windows in 1 min 1 s");
    assert.equal(progressLine(p, "aborted"), "occlusion: aborted after 30 of 120 windows (1.5 s)");
  });
});
