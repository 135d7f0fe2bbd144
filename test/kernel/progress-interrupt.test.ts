/**
 * Long methods in a live kernel, driven by Jupyter's own client: a 3,000-step integrated gradients
 * shows a progress display that updates throughout the cell and is completed before the reply; an
 * interrupt (SIGINT, or interrupt_request) a few seconds in ends the cell at once and frees every tensor.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { installKernel } from "../../kernel-ext/src/installer";
import { PYTHON, requireBuild, SOURCE_ENV, tmpDir } from "./helpers";

interface Event {
  t: number;
  type: string;
  text: string;
  id?: string;
}
interface Cell {
  events: Event[];
  reply: { t: number; status: string; ename?: string } | null;
  interrupted_at: number | null;
}

describe("long methods in a live kernel: progress and interrupt", function () {
  this.timeout(600_000);
  let seen: Record<string, any>;

  before(function () {
    requireBuild();
    const prefix = tmpDir("progress-prefix");
    installKernel({ location: { kind: "prefix", prefix }, python: PYTHON, log: () => undefined });
    const env = { ...SOURCE_ENV, JUPYTER_PATH: path.join(prefix, "share", "jupyter") };
    const r = spawnSync(PYTHON, [path.join(__dirname, "progress_client.py"), "deepviz"], {
      env,
      encoding: "utf8",
      timeout: 540_000,
    });
    assert.equal(r.status, 0, `progress_client.py failed:\n${r.stdout}\n${r.stderr}`);
    seen = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.equal(seen.setup, "ok");
  });

  const progressOf = (cell: Cell) => cell.events.filter((e) => e.id);
  /** A cell's last value when it is a plain number (the kernel prints those on stdout). */
  const printed = (cell: Cell) =>
    cell.events
      .filter((e) => e.type === "stream")
      .map((e) => e.text)
      .join("")
      .trim();

  it("a 3,000-step IG updates one progress display throughout the cell and completes it before the reply", () => {
    const cell = seen.full as Cell;
    assert.equal(cell.reply?.status, "ok");
    const updates = progressOf(cell);
    assert.ok(updates.length >= 5, `${updates.length} progress messages`);
    assert.equal(updates[0].type, "display_data");
    assert.ok(
      updates.slice(1).every((u) => u.type === "update_display_data" && u.id === updates[0].id),
      "one display, updated",
    );
    const reply = cell.reply!.t;
    assert.ok(
      updates.every((u) => u.t < reply),
      "every update before the execute_reply",
    );
    // throughout: updates in each third of the cell after the first second
    for (const third of [0, 1, 2]) {
      const from = 1 + ((reply - 1) * third) / 3,
        to = 1 + ((reply - 1) * (third + 1)) / 3;
      assert.ok(
        updates.some((u) => u.t >= from && u.t <= to),
        `an update between ${from.toFixed(1)} s and ${to.toFixed(1)} s (cell: ${reply.toFixed(1)} s)`,
      );
    }
    const counts = updates.slice(0, -1).map((u) => Number(/(\d+)\/3000 steps/.exec(u.text)![1]));
    counts.forEach((c, i) => assert.ok(i === 0 || c > counts[i - 1], `counts rise: ${counts}`));
    // (a busy machine makes the first estimate long: "about 17 min 34 s left")
    assert.match(updates[0].text, /integratedGradients: \d+\/3000 steps \(\d+%\), \d+\.\d s, about (\d+ min \d+|\d+\.\d) s left/);
    assert.match(updates[updates.length - 1].text, /integratedGradients: 3000 steps in \d+\.\d s/);
    assert.equal(printed(cell), "0", "no tensor left");
  });

  for (const how of ["signal", "message"]) {
    it(`an interrupt (${how === "signal" ? "SIGINT" : "interrupt_request"}) a few seconds in ends the cell at once and frees every tensor`, () => {
      const cell = seen[how] as Cell;
      assert.ok(cell.interrupted_at !== null && cell.interrupted_at > 2, `interrupted at ${cell.interrupted_at} s`);
      assert.equal(cell.reply?.status, "error");
      assert.equal(cell.reply?.ename, "KeyboardInterrupt");
      const took = cell.reply!.t - cell.interrupted_at!;
      assert.ok(took < 2, `the cell ended ${took.toFixed(2)} s after the interrupt`);
      const before = progressOf(cell).filter((u) => u.t < cell.interrupted_at!);
      assert.ok(before.length >= 2, `${before.length} progress updates before the interrupt`);
      // the display says where the work stopped
      const last = progressOf(cell).pop()!;
      assert.match(last.text, /integratedGradients: aborted after \d+ of 3000 steps/);
      assert.ok(last.t - cell.interrupted_at! < 2, "the work stopped within 2 s of the interrupt");
      assert.equal(printed(seen[`${how}_left`]), "0", "tf.memory().numTensors is back where it was");
    });
  }
});
