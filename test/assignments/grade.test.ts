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
import { releaseNotebook } from "../../kernel-ext/src/assignment/release";
import { cellSource, readNotebook, type Notebook } from "../../kernel-ext/src/notebook";

const root = path.resolve(__dirname, "..", "..");
const CLI = path.join(root, "kernel-ext", "bin", "deepviz.js");
const assignmentsDir = path.join(root, "notebooks", "assignments");
const assignments = fs.existsSync(assignmentsDir) ? fs.readdirSync(assignmentsDir).filter((f) => f.endsWith(".ipynb")).sort() : [];
// Cells take a few seconds here; 30 s leaves room for a loaded machine and keeps an endless loop cheap.
const TIMEOUT_S = 30;

interface Graded { submission: string; score: number; max: number; tests: { id: string; points: number; earned: number; message: string }[] }

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: root });
    let stdout = "", stderr = "";
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
  nb.cells.splice(nb.cells.findIndex((c) => cellRole(c) === "test"), 1);
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
      assert.ok(nb.cells.some((c) => /BEGIN HIDDEN TESTS/.test(cellSource(c))), `${f}: no hidden tests`);
      assert.ok(nb.cells.every((c) => c.cell_type !== "code" || (c.outputs ?? []).length === 0), `${f} is committed with outputs`);
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
        const r = await cli(["assignment", "grade", subs, "--source", sourcePath, "--json", "--workers", "2", "--timeout", String(TIMEOUT_S), "--feedback", path.join(work, "feedback")]);
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
        assert.equal(full.score, full.max, JSON.stringify(full.tests.filter((t) => t.earned < t.points), null, 1));
      });

      it("the released version earns nothing, and every test says which cell is not done yet", () => {
        const rel = results.get("released")!;
        assert.equal(rel.score, 0);
        assert.equal(rel.max, results.get("full")!.max);
        for (const t of rel.tests) assert.match(t.message, /Not done yet: write your code in cell "answer-[a-z-]+"/, `${t.id}: ${t.message}`);
      });

      it("gutting and deleting the visible tests gains nothing", () => {
        const g = results.get("gutted")!;
        assert.ok(g.score <= results.get("released")!.score);
        assert.deepEqual(g.tests.map((t) => t.id), results.get("full")!.tests.map((t) => t.id), "every test is restored and run");
        assert.equal(g.max, results.get("full")!.max);
      });

      it("an endless loop is stopped by the timeout, and every other test is still graded", () => {
        const l = results.get("loop")!;
        const timedOut = l.tests.filter((t) => /CellTimeoutError: cell did not finish within 30 s; interrupted$/.test(t.message));
        assert.ok(timedOut.length >= 1, `no test timed out: ${JSON.stringify(l.tests)}`);
        assert.equal(l.score, l.max - timedOut.reduce((a, t) => a + t.points, 0), `only the tests of ${loopAnswer} may fail: ${JSON.stringify(l.tests)}`);
      });

      it("writes a feedback page per submission and a CSV of scores", () => {
        const pages = fs.readdirSync(path.join(work, "feedback")).sort();
        assert.deepEqual(pages, ["full.html", "gutted.html", "loop.html", "released.html"]);
        const page = fs.readFileSync(path.join(work, "feedback", "released.html"), "utf8");
        assert.ok(!/<script/i.test(page));
        assert.ok(page.includes(`released: 0 / ${results.get("full")!.max}`));
        const csv = fs.readFileSync(path.join(work, "submissions", "grades.csv"), "utf8").trim().split("\n");
        assert.equal(csv.length, 5);
        assert.ok(csv[0].startsWith("submission,score,max,"));
        assert.ok(csv.includes(`full,${results.get("full")!.max},${results.get("full")!.max},${results.get("full")!.tests.map((t) => t.points).join(",")}`));
      });
    });
  }
});
