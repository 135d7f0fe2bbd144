/**
 * Every assignment under notebooks/assignments/ graded by the real CLI (`deepviz assignment grade`, a fresh
 * DeepViz kernel per submission, two in parallel): the source earns full marks; the released version earns
 * nothing and says "Not done yet"; gutting its visible tests gains nothing; an endless loop is stopped by the
 * per-cell timeout and the rest is still graded. Plus the hung-kernel path on a tiny notebook.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkAssignment, cellRole, nbgraderMeta, regions, replaceRegions } from "../../kernel-ext/src/assignment/format";
import { gradeNotebook } from "../../kernel-ext/src/assignment/grade";
import { releaseNotebook } from "../../kernel-ext/src/assignment/release";
import { cellSource, readNotebook, type Notebook } from "../../kernel-ext/src/notebook";

const root = path.resolve(__dirname, "..", "..");
const CLI = path.join(root, "kernel-ext", "bin", "deepviz.js");
const assignmentsDir = path.join(root, "notebooks", "assignments");
const assignments = fs.existsSync(assignmentsDir)
  ? fs
      .readdirSync(assignmentsDir)
      .filter((f) => f.endsWith(".ipynb"))
      .sort()
  : [];
// Cells take a few seconds here; 45 s leaves room for a loaded machine and keeps an endless loop cheap.
const TIMEOUT_S = 45;

interface Graded {
  submission: string;
  score: number;
  max: number;
  tests: { id: string; points: number; earned: number; message: string }[];
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: root });
    let stdout = "",
      stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function write(file: string, nb: Notebook): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
}

/** Released, with every visible test replaced by a line that passes, and the first test deleted. */
function gutted(released: Notebook): Notebook {
  const nb: Notebook = JSON.parse(JSON.stringify(released));
  for (const c of nb.cells) if (cellRole(c) === "test") c.source = 'console.log("all tests passed");';
  nb.cells.splice(
    nb.cells.findIndex((c) => cellRole(c) === "test"),
    1,
  );
  return nb;
}

/** The source with its last solution region replaced by an endless loop. */
function endlessLoop(source: Notebook): { nb: Notebook; answer: string } {
  const nb: Notebook = JSON.parse(JSON.stringify(source));
  const answers = nb.cells.filter((c) => cellRole(c) === "answer" && c.cell_type === "code");
  const last = answers[answers.length - 1];
  const lines = cellSource(last).split("\n");
  last.source = replaceRegions(lines, regions(lines, "SOLUTION", "loop"), (r) => [`${r.indent}while (true) {}`]).join("\n");
  return { nb, answer: nbgraderMeta(last)!.grade_id };
}

describe("assignments graded by `deepviz assignment grade`", function () {
  this.timeout(900_000);

  it("there are at least four assignments in nbgrader's format, each with hidden tests", () => {
    assert.ok(assignments.length >= 4, `found ${assignments.length}`);
    for (const f of assignments) {
      const nb = readNotebook(fs.readFileSync(path.join(assignmentsDir, f), "utf8"), f);
      const graded = checkAssignment(nb, f);
      assert.ok(graded.filter((g) => g.role === "test").length >= 3, `${f}: fewer than 3 tests`);
      assert.ok(
        nb.cells.some((c) => /BEGIN HIDDEN TESTS/.test(cellSource(c))),
        `${f}: no hidden tests`,
      );
      assert.ok(
        nb.cells.every((c) => c.cell_type !== "code" || (c.outputs ?? []).length === 0),
        `${f} is committed with outputs`,
      );
    }
  });

  for (const file of assignments) {
    describe(file, () => {
      let work = "";
      let results = new Map<string, Graded>();
      let loopAnswer = "";
      const sourcePath = path.join(assignmentsDir, file);

      before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-assignment-"));
        const source = readNotebook(fs.readFileSync(sourcePath, "utf8"), file);
        // the released version comes from the CLI, as an instructor makes it
        const rel = await cli(["assignment", "release", sourcePath, "--out", path.join(work, "released")]);
        assert.equal(rel.code, 0, rel.stderr);
        const released = readNotebook(fs.readFileSync(path.join(work, "released", file), "utf8"), "released");
        assert.deepEqual(released, releaseNotebook(source));
        const subs = path.join(work, "submissions");
        write(path.join(subs, "full.ipynb"), source);
        write(path.join(subs, "released.ipynb"), released);
        write(path.join(subs, "gutted.ipynb"), gutted(released));
        const loop = endlessLoop(source);
        loopAnswer = loop.answer;
        write(path.join(subs, "loop.ipynb"), loop.nb);
        const r = await cli([
          "assignment",
          "grade",
          subs,
          "--source",
          sourcePath,
          "--json",
          "--workers",
          "2",
          "--timeout",
          String(TIMEOUT_S),
          "--feedback",
          path.join(work, "feedback"),
        ]);
        assert.equal(r.code, 0, `grading failed: ${r.stderr.slice(-3000)}`);
        const parsed = JSON.parse(r.stdout) as { submissions: Graded[] };
        results = new Map(parsed.submissions.map((s) => [s.submission, s]));
      });
      after(() => {
        if (work) fs.rmSync(work, { recursive: true, force: true });
      });

      it("the source earns full marks", () => {
        const full = results.get("full")!;
        assert.ok(full.max > 0);
        assert.equal(
          full.score,
          full.max,
          JSON.stringify(
            full.tests.filter((t) => t.earned < t.points),
            null,
            1,
          ),
        );
      });

      it("the released version earns nothing, and every test says which cell is not done yet", () => {
        const rel = results.get("released")!;
        assert.equal(rel.score, 0);
        assert.equal(rel.max, results.get("full")!.max);
        for (const t of rel.tests)
          assert.match(t.message, /Not done yet: write your code in cell "answer-[a-z-]+"/, `${t.id}: ${t.message}`);
      });

      it("gutting and deleting the visible tests gains nothing", () => {
        const g = results.get("gutted")!;
        assert.ok(g.score <= results.get("released")!.score);
        assert.deepEqual(
          g.tests.map((t) => t.id),
          results.get("full")!.tests.map((t) => t.id),
          "every test is restored and run",
        );
        assert.equal(g.max, results.get("full")!.max);
      });

      it("an endless loop is stopped by the timeout, and every other test is still graded", () => {
        const l = results.get("loop")!;
        const timedOut = l.tests.filter(
          (t) => t.message === `CellTimeoutError: cell did not finish within ${TIMEOUT_S} s; interrupted`,
        );
        assert.ok(timedOut.length >= 1, `no test timed out: ${JSON.stringify(l.tests)}`);
        assert.equal(
          l.score,
          l.max - timedOut.reduce((a, t) => a + t.points, 0),
          `only the tests of ${loopAnswer} may fail: ${JSON.stringify(l.tests)}`,
        );
      });

      it("writes a feedback page per submission and a CSV of scores", () => {
        const pages = fs.readdirSync(path.join(work, "feedback")).sort();
        assert.deepEqual(pages, ["full.html", "gutted.html", "loop.html", "released.html"]);
        const page = fs.readFileSync(path.join(work, "feedback", "released.html"), "utf8");
        assert.ok(!/<script(?![^>]*type="application\/vnd\.jupyter\.widget)/i.test(page), "no script runs on a feedback page");
        assert.ok(page.includes("Content-Security-Policy"));
        assert.ok(page.includes(`released: 0 / ${results.get("full")!.max}`));
        const csv = fs
          .readFileSync(path.join(work, "submissions", "grades.csv"), "utf8")
          .trim()
          .split("\n");
        assert.equal(csv.length, 5);
        assert.ok(csv[0].startsWith("submission,score,max,"));
        assert.ok(
          csv.includes(
            `full,${results.get("full")!.max},${results.get("full")!.max},${results
              .get("full")!
              .tests.map((t) => t.points)
              .join(",")}`,
          ),
        );
      });
    });
  }
});

describe("grading: teaching messages and a kernel that hangs", function () {
  this.timeout(300_000);
  let work = "";
  before(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-grade-"))));
  after(() => work && fs.rmSync(work, { recursive: true, force: true }));

  it("names the mistake: the softmax probability instead of the score, the signed gradient instead of its absolute value", async () => {
    const sourcePath = path.join(assignmentsDir, "saliency-by-hand.ipynb");
    const text = fs.readFileSync(sourcePath, "utf8");
    const variant = (from: string, to: string) => {
      assert.ok(text.includes(JSON.stringify(from).slice(1, -1)), `the source no longer holds ${from}`);
      return text.replace(JSON.stringify(from).slice(1, -1), JSON.stringify(to).slice(1, -1));
    };
    const subs = path.join(work, "mistakes");
    fs.mkdirSync(subs);
    fs.writeFileSync(
      path.join(subs, "probability.ipynb"),
      variant("dv.forward(model, x).output as tf.Tensor2D", "model.predict(x) as tf.Tensor2D"),
    );
    fs.writeFileSync(
      path.join(subs, "signed.ipynb"),
      variant("return gradient.abs() as tf.Tensor3D;", "return gradient as tf.Tensor3D;"),
    );
    const r = await cli(["assignment", "grade", subs, "--source", sourcePath, "--json", "--workers", "2", "--timeout", "60"]);
    assert.equal(r.code, 0, r.stderr);
    const byName = new Map(
      (JSON.parse(r.stdout) as { submissions: Graded[] }).submissions.map((s) => [
        s.submission,
        new Map(s.tests.map((t) => [t.id, t])),
      ]),
    );
    const prob = byName.get("probability")!;
    assert.match(
      prob.get("test-logits")!.message,
      /^Error: your score is 0\.\d{4}, the softmax probability; use the pre-softmax score \(dv\.forward\(model, x\)\.output\), here -?\d+\.\d{4}$/,
    );
    assert.match(
      prob.get("test-saliency-values")!.message,
      /dv\.saliency's sums to .* \(ratio 0\.\d{3}\)\. A ratio far below 1 often means you differentiated the probability/,
    );
    assert.equal(prob.get("test-saliency-shape")!.earned, 1, "the shape is still right");
    const signed = byName.get("signed")!;
    assert.match(
      signed.get("test-saliency-values")!.message,
      /^Error: your map has negative values \(its smallest is -\d\.\d\de-\d+\) and sums to .*; a saliency map is the gradient's absolute value, not the gradient$/,
    );
    assert.equal(signed.get("test-logits")!.earned, 2);
  });

  it("stops a kernel that an endless loop after an await keeps busy, and reports the tests it could not run", async () => {
    const meta = (id: string, role: "answer" | "test", points?: number) => ({
      nbgrader: {
        grade_id: id,
        schema_version: 3,
        solution: role === "answer",
        grade: role === "test",
        locked: role === "test",
        ...(points ? { points } : {}),
      },
    });
    const source: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "deepviz", display_name: "TypeScript (DeepViz)", language: "typescript" } },
      cells: [
        {
          cell_type: "code",
          metadata: meta("answer-f", "answer"),
          source: "async function f(): Promise<number> {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}",
          outputs: [],
          execution_count: null,
        },
        {
          cell_type: "code",
          metadata: meta("test-f", "test", 2),
          source: 'if (await f() !== 1) throw new Error("f() should return 1");',
          outputs: [],
          execution_count: null,
        },
        {
          cell_type: "code",
          metadata: meta("test-free", "test", 1),
          source: 'if (2 + 2 !== 4) throw new Error("arithmetic");',
          outputs: [],
          execution_count: null,
        },
      ],
    };
    const sourcePath = path.join(work, "tiny.ipynb");
    write(sourcePath, source);
    const released = path.join(work, "released.ipynb");
    write(released, releaseNotebook(source));
    const hung: Notebook = JSON.parse(JSON.stringify(source));
    hung.cells[0].source =
      "async function f(): Promise<number> {\n  await new Promise((r) => setTimeout(r, 10));\n  while (true) {}\n}";
    const hungPath = path.join(work, "hung.ipynb");
    write(hungPath, hung);

    const t0 = Date.now();
    const stuck = await gradeNotebook(hungPath, sourcePath, { timeoutSec: 3, cwd: root });
    assert.deepEqual(
      stuck.result.tests.map((t) => [t.id, t.earned]),
      [
        ["test-f", 0],
        ["test-free", 0],
      ],
    );
    assert.equal(
      stuck.result.tests[0].message,
      "CellTimeoutError: cell did not finish within 3 s; interrupted, but the kernel stayed busy, so it was stopped and no later cell ran",
    );
    assert.match(stuck.result.tests[1].message, /^did not run: an earlier cell stopped the kernel/);
    assert.ok(Date.now() - t0 < 120_000);

    const rel = await gradeNotebook(released, sourcePath, { timeoutSec: 10, cwd: root });
    assert.equal(rel.result.score, 1, "only the free point");
    assert.match(rel.result.tests[0].message, /^Error: Not done yet: write your code in cell "answer-f"/);
  });
});
