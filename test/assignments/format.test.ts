/**
 * The assignment format without a kernel: release (stubs indented like their delimiters, hidden tests and
 * outputs gone, Markdown answers stubbed), the format's rules, restoring tests from the source, scoring,
 * the CSV and the untrusted feedback page.
 */
import { strict as assert } from "assert";
import { AssignmentError, checkAssignment } from "../../kernel-ext/src/assignment/format";
import { feedbackHtml } from "../../kernel-ext/src/assignment/feedback";
import { restoreFromSource, score, type GradeResult } from "../../kernel-ext/src/assignment/grade";
import { ANSWER_STUB, releaseNotebook } from "../../kernel-ext/src/assignment/release";
import { scoresCsv, inParallel } from "../../kernel-ext/src/assignment/cli";
import { cellSource, type Cell, type Notebook } from "../../kernel-ext/src/notebook";

type Role = "answer" | "test" | "locked" | "manual";
function cell(source: string, id?: string, role?: Role, points?: number, type: "code" | "markdown" = "code"): Cell {
  const metadata: Record<string, unknown> = {};
  if (id) {
    metadata.nbgrader = {
      grade_id: id,
      schema_version: 3,
      solution: role === "answer" || role === "manual",
      grade: role === "test" || role === "manual",
      locked: role === "test" || role === "locked",
      ...(points !== undefined ? { points } : {}),
    };
  }
  const c: Cell = { cell_type: type, source, metadata };
  if (type === "code") {
    c.outputs = [{ output_type: "stream", name: "stdout", text: "old output\n" }];
    c.execution_count = 3;
  }
  return c;
}

function notebook(cells: Cell[]): Notebook {
  return { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: "deepviz" } }, cells };
}

function source(): Notebook {
  return notebook([
    cell("# Intro", "intro", "locked", undefined, "markdown"),
    cell("const data = [1, 2, 3];", "setup", "locked"),
    cell(
      "function total(xs: number[]): number {\n  // BEGIN SOLUTION\n  return xs.reduce((a, b) => a + b, 0);\n  // END SOLUTION\n}",
      "answer-total",
      "answer",
    ),
    cell(
      "if (total(data) !== 6) throw new Error('total is wrong');\n// BEGIN HIDDEN TESTS\nif (total([]) !== 0) throw new Error('empty');\n// END HIDDEN TESTS",
      "test-total",
      "test",
      2,
    ),
    cell("const secret = 42;", "answer-whole", "answer"),
    cell("if (secret !== 42) throw new Error('no');", "test-whole", "test", 1),
    cell("Why?\n\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->", "answer-why", "manual", 3, "markdown"),
  ]);
}

describe("assignment format", () => {
  describe("release", () => {
    const released = releaseNotebook(source());
    const text = (i: number) => cellSource(released.cells[i]);

    it("replaces a solution region by a stub that throws, indented like its delimiters", () => {
      assert.equal(
        text(2),
        [
          "function total(xs: number[]): number {",
          "  // YOUR CODE HERE",
          '  throw new Error("Not done yet: write your code in cell \\"answer-total\\" (replace this line), run it, then run the tests again.");',
          "}",
        ].join("\n"),
      );
      assert.ok(!JSON.stringify(released).includes("reduce"), "the solution leaked");
    });

    it("replaces a whole answer cell without delimiters, and a Markdown answer's region by the text stub", () => {
      assert.match(text(4), /^\/\/ YOUR CODE HERE\nthrow new Error\("Not done yet: .*answer-whole/);
      assert.equal(text(6), `Why?\n\n${ANSWER_STUB}`);
      assert.ok(!text(6).includes("Because"));
    });

    it("removes hidden tests with their delimiters, keeps visible ones, and clears every output", () => {
      assert.equal(text(3), "if (total(data) !== 6) throw new Error('total is wrong');");
      for (const c of released.cells.filter((c) => c.cell_type === "code")) {
        assert.deepEqual(c.outputs, []);
        assert.equal(c.execution_count, null);
      }
      assert.deepEqual(
        released.cells.map((c) => c.metadata),
        source().cells.map((c) => c.metadata),
        "nbgrader metadata stays",
      );
    });

    it("does not change the source it was given", () => {
      const s = source();
      const before = JSON.stringify(s);
      releaseNotebook(s);
      assert.equal(JSON.stringify(s), before);
    });
  });

  describe("rules", () => {
    const broken = (edit: (nb: Notebook) => void) => {
      const nb = source();
      edit(nb);
      return () => checkAssignment(nb, "nb");
    };
    it("lists graded cells with their points", () => {
      assert.deepEqual(
        checkAssignment(source(), "nb").map((g) => [g.id, g.role, g.points]),
        [
          ["test-total", "test", 2],
          ["test-whole", "test", 1],
          ["answer-why", "manual", 3],
        ],
      );
    });
    it("refuses duplicate ids, tests without points, solutions outside answers, hidden tests outside tests, unbalanced regions", () => {
      assert.throws(
        broken((nb) => ((nb.cells[5].metadata.nbgrader as { grade_id: string }).grade_id = "test-total")),
        /grade_id "test-total" is also used by cell 4/,
      );
      assert.throws(
        broken((nb) => delete (nb.cells[5].metadata.nbgrader as { points?: number }).points),
        /needs "points"/,
      );
      assert.throws(
        broken((nb) => (nb.cells[1].source = "// BEGIN SOLUTION\nx\n// END SOLUTION")),
        AssignmentError,
      );
      assert.throws(
        broken((nb) => (nb.cells[2].source = "// BEGIN HIDDEN TESTS\n// END HIDDEN TESTS")),
        /belongs in a test cell/,
      );
      assert.throws(
        broken((nb) => (nb.cells[2].source = "// BEGIN SOLUTION\nx")),
        /never closed/,
      );
      assert.throws(
        broken((nb) => (nb.cells[2].source = "x\n// END SOLUTION")),
        /has no BEGIN/,
      );
    });
  });

  describe("restoring from the source", () => {
    it("restores edited and deleted tests and locked cells, keeps the student's answers and extra cells", () => {
      const sub = releaseNotebook(source());
      sub.cells[2].source = "function total(xs: number[]): number { return 6; }";
      sub.cells[3].source = "// trust me"; // gutted test
      (sub.cells[3].metadata.nbgrader as { points: number }).points = 100; // and its points inflated
      sub.cells[1].source = "const data = [6];"; // edited setup
      sub.cells.splice(5, 1); // deleted test-whole
      sub.cells.splice(3, 0, cell("const helper = 1;")); // the student's own cell
      sub.cells.push(cell("pass()", "fake-test", "test", 50)); // a test the source never had
      const graded = restoreFromSource(sub, source());
      const src = source();
      const ids = graded.cells.map((c) => (c.metadata.nbgrader as { grade_id?: string } | undefined)?.grade_id ?? cellSource(c));
      assert.deepEqual(ids, [
        "intro",
        "setup",
        "answer-total",
        "const helper = 1;",
        "test-total",
        "answer-whole",
        "test-whole",
        "answer-why",
        "pass()",
      ]);
      assert.equal(cellSource(graded.cells[1]), cellSource(src.cells[1]));
      assert.equal(cellSource(graded.cells[2]), "function total(xs: number[]): number { return 6; }");
      assert.equal(cellSource(graded.cells[4]), cellSource(src.cells[3]), "the full test, hidden part included");
      assert.deepEqual(graded.cells[4].metadata, src.cells[3].metadata);
      assert.equal(graded.cells[8].metadata.nbgrader, undefined, "an unknown grade id grants nothing");
      assert.ok(graded.cells.every((c) => c.cell_type !== "code" || (c.outputs!.length === 0 && c.execution_count === null)));
    });

    it("scores tests by their status: passed, failed with the error, not run", () => {
      const nb = restoreFromSource(source(), source());
      nb.cells[5].outputs = [{ output_type: "error", ename: "Error", evalue: "no", traceback: [] }];
      const result = score(
        nb,
        checkAssignment(source(), "nb"),
        new Map([
          [3, "ok"],
          [5, "error"],
        ]),
      );
      assert.deepEqual(result, {
        score: 2,
        max: 3,
        tests: [
          { id: "test-total", points: 2, earned: 2, message: "" },
          { id: "test-whole", points: 1, earned: 0, message: "Error: no" },
        ],
        manual: [{ id: "answer-why", points: 3 }],
      });
      const notRun = score(nb, checkAssignment(source(), "nb"), new Map([[3, "ok"]]));
      assert.match(notRun.tests[1].message, /did not run/);
    });
  });

  describe("feedback and scores", () => {
    const result: GradeResult = {
      score: 1,
      max: 3,
      tests: [
        { id: "test-total", points: 2, earned: 0, message: "Error: <img src=x onerror=alert(1)>" },
        { id: "test-whole", points: 1, earned: 1, message: "" },
      ],
    };

    it("builds the page in the untrusted mode: no script of the submission, no live javascript: link, a policy", () => {
      const nb = restoreFromSource(source(), source());
      nb.cells[6].source = "<script>alert('md')</script> [x](javascript:alert(1)) <img src=x onerror=alert(2)>";
      nb.cells[3].outputs = [
        {
          output_type: "display_data",
          data: { "text/html": "<script>alert('out')</script><b>bold</b>", "text/plain": "plain" },
          metadata: {},
        },
      ];
      nb.cells[5].outputs = [{ output_type: "stream", name: "stdout", text: "</pre><script>alert('stream')</script>" }];
      const html = feedbackHtml("alice", nb, result);
      assert.ok(!/<script>alert/i.test(html), "no script of the submission");
      assert.ok(!/href="javascript:/i.test(html), "no live javascript: link");
      assert.ok(!/<img src="?x/i.test(html), "no image from outside");
      assert.ok(html.includes("&lt;/pre&gt;&lt;script&gt;alert"), "stream text is escaped");
      assert.ok(html.includes("<b>bold</b>"), "harmless HTML stays");
      assert.match(html, /<meta http-equiv="Content-Security-Policy" content="[^"]*default-src &#39;none&#39;/);
      assert.ok(html.includes("alice: 1 / 3"));
      assert.ok(html.includes("✘ test <b>test-total</b>: 0 / 2: Error: &lt;img src=x onerror=alert(1)&gt;"));
      assert.ok(html.includes("✔ test <b>test-whole</b>: 1 / 1"));
    });

    it("writes a CSV with one column per test, quoting what needs it", () => {
      assert.equal(
        scoresCsv([
          { submission: "bob, jr", result },
          { submission: "alice", result: { ...result, score: 3, tests: result.tests.map((t) => ({ ...t, earned: t.points })) } },
        ]),
        'submission,score,max,test-total,test-whole\n"bob, jr",1,3,0,1\nalice,3,3,2,1\n',
      );
    });

    it("runs work in parallel, at most N at a time, results in order", async () => {
      let running = 0,
        most = 0;
      const out = await inParallel([5, 1, 4, 2, 3], 2, async (ms) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, ms * 5));
        running--;
        return ms * 10;
      });
      assert.deepEqual(out, [50, 10, 40, 20, 30]);
      assert.equal(most, 2);
    });
  });
});
