/** The headless runner: runNotebook() and `deepviz run`. */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { runNotebook, type RunProgress } from "../../kernel-ext/src/runner";
import { FIXTURES, REPO, requireBuild, SOURCE_ENV, tmpDir } from "./helpers";

function notebook(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source, i) => ({
      cell_type: "code",
      id: `c${i}`,
      metadata: {},
      source,
      outputs: [],
      execution_count: null,
    })),
    metadata: { kernelspec: { name: "deepviz", display_name: "TypeScript (DeepViz)", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

describe("notebook runner", function () {
  before(function () {
    requireBuild();
  });
  const kernel = { env: SOURCE_ENV };

  it("runs every cell, saves outputs, widget state and an HTML page", async function () {
    const out = tmpDir("runner-ok");
    const events: RunProgress[] = [];
    const result = await runNotebook(path.join(FIXTURES, "rich-comm.ipynb"), {
      outDir: out,
      kernel,
      onProgress: (e) => events.push(e),
    });
    assert.equal(result.ok, true);
    assert.equal(result.notebookPath, path.join(out, "rich-comm.ipynb"));
    assert.equal(result.htmlPath, path.join(out, "rich-comm.html"));
    const nb = JSON.parse(fs.readFileSync(result.notebookPath, "utf8"));
    const code = nb.cells.filter((c: any) => c.cell_type === "code");
    assert.deepEqual(
      code.map((c: any) => c.execution_count),
      [1, 2, 3, 4],
    );
    assert.deepEqual(code[0].outputs, [{ output_type: "stream", name: "stdout", text: "deepviz function\n" }]);
    const modelId = code[1].outputs[0].data["application/vnd.jupyter.widget-view+json"].model_id;
    assert.deepEqual(code[2].outputs, [
      {
        output_type: "execute_result",
        execution_count: 3,
        data: { "text/html": "<b>bold</b>", "text/plain": "bold" },
        metadata: {},
      },
    ]);
    const widgets = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"];
    assert.equal(widgets.version_major, 2);
    assert.deepEqual(widgets.state[modelId].state.value, 5); // opened at 3, then updated
    assert.deepEqual(widgets.state[modelId].buffers, [{ path: ["data"], data: "BwgJ", encoding: "base64" }]); // bytes 7 8 9
    assert.deepEqual(
      events
        .filter((e) => e.kind === "cell-done")
        .map((e) => [e.kind === "cell-done" && e.codeIndex, e.kind === "cell-done" && e.status]),
      [
        [1, "ok"],
        [2, "ok"],
        [3, "ok"],
        [4, "ok"],
      ],
    );
    const html = fs.readFileSync(result.htmlPath!, "utf8");
    assert.ok(html.includes("<h1>Kernel fixture</h1>"));
    assert.ok(html.includes("<b>bold</b>") && html.includes("<i>tslab display</i>"));
    assert.ok(html.includes(`<script type="application/vnd.jupyter.widget-state+json">`));
    assert.ok(html.includes(`"model_id":"${modelId}"`));
  });

  it("`deepviz run` stops at the first error, showing the cell and the error", function () {
    const dir = tmpDir("runner-fail");
    const nbPath = path.join(dir, "fails.ipynb");
    fs.writeFileSync(
      nbPath,
      notebook([
        `import * as dv from "deepviz";\nconsole.log("before");`,
        // the checker knows deepviz's types: a class is not a number
        `const wrong: number = dv.DeepVizError;`,
        `console.log("never");`,
      ]),
    );
    const r = spawnSync(process.execPath, [path.join(REPO, "kernel-ext/bin/deepviz.js"), "run", nbPath, "--timeout", "60"], {
      env: SOURCE_ENV,
      encoding: "utf8",
      timeout: 100_000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /\[1\/3\] import \* as dv from "deepviz";\s+ok/);
    assert.match(
      r.stderr,
      /cell 2 failed:\n {2}\| const wrong: number = dv.DeepVizError;\nTypeScriptError: .*typeof DeepVizError.* is not assignable to type 'number'/,
    );
    assert.doesNotMatch(r.stderr, /\[3\/3\]/);
    const nb = JSON.parse(fs.readFileSync(path.join(dir, "fails.executed.ipynb"), "utf8"));
    assert.deepEqual(
      nb.cells.map((c: any) => c.execution_count),
      [1, 2, null],
    );
    assert.equal(nb.cells[1].outputs[0].output_type, "error");
    assert.deepEqual(nb.cells[2].outputs, []);
    assert.ok(fs.readFileSync(path.join(dir, "fails.html"), "utf8").includes("TypeScriptError"));
  });

  it("with allowErrors goes on after a timed-out cell and a throwing one", async function () {
    const dir = tmpDir("runner-allow");
    const nbPath = path.join(dir, "slow.ipynb");
    fs.writeFileSync(
      nbPath,
      notebook([`await new Promise((r) => setTimeout(r, 60000));`, `throw new Error("second");`, `console.log("third");`]),
    );
    const result = await runNotebook(nbPath, { timeoutSec: 3, allowErrors: true, html: false, kernel });
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.failures.map((f) => [f.cellIndex, f.ename, f.evalue]),
      [
        [0, "CellTimeoutError", "cell did not finish within 3 s; interrupted"],
        [1, "Error", "second"],
      ],
    );
    assert.ok(result.cellTimesMs[0].ms >= 3000);
    assert.equal(result.htmlPath, undefined);
    const nb = JSON.parse(fs.readFileSync(path.join(dir, "slow.executed.ipynb"), "utf8"));
    assert.deepEqual(nb.cells[2].outputs, [{ output_type: "stream", name: "stdout", text: "third\n" }]);
  });

  it("an earlier cell's variable works in a shorthand property, `{ foo }` (tslab alone says it is not defined)", async function () {
    const dir = tmpDir("runner-shorthand");
    const nbPath = path.join(dir, "shorthand.ipynb");
    fs.writeFileSync(
      nbPath,
      notebook([
        `const foo = 1;\nlet bar = 2;`,
        `const o = { foo, bar, baz: 3 };\n({ bar } = { bar: 5 });\nconsole.log(JSON.stringify(o), bar);`,
      ]),
    );
    const result = await runNotebook(nbPath, { html: false, kernel });
    assert.equal(result.ok, true, JSON.stringify(result.failure));
    const nb = JSON.parse(fs.readFileSync(path.join(dir, "shorthand.executed.ipynb"), "utf8"));
    assert.deepEqual(nb.cells[1].outputs, [{ output_type: "stream", name: "stdout", text: '{"foo":1,"bar":2,"baz":3} 5\n' }]);
  });

  it("when the kernel dies mid-run, writes the partial notebook and page, names the cell and exits non-zero", function () {
    const dir = tmpDir("runner-died");
    const nbPath = path.join(dir, "dies.ipynb");
    fs.writeFileSync(
      nbPath,
      notebook([
        `console.log("first");`,
        `console.log("about to die");\nprocess.kill(process.pid, "SIGKILL");`,
        `console.log("never");`,
      ]),
    );
    const r = spawnSync(
      process.execPath,
      [path.join(REPO, "kernel-ext/bin/deepviz.js"), "run", nbPath, "--timeout", "60", "--untrusted"],
      {
        env: SOURCE_ENV,
        encoding: "utf8",
        timeout: 100_000,
      },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /\[2\/3\] console.log\("about to die"\);\s+STOPPED/);
    assert.match(
      r.stderr,
      /cell 2 failed:\n {2}\| console.log\("about to die"\);[^]*KernelDied: the kernel died while running cell 2: kernel exited \(SIGKILL\)/,
    );
    const nb = JSON.parse(fs.readFileSync(path.join(dir, "dies.executed.ipynb"), "utf8"));
    assert.deepEqual(nb.cells[0].outputs, [{ output_type: "stream", name: "stdout", text: "first\n" }]);
    assert.equal(nb.cells[1].outputs.at(-1).ename, "KernelDied");
    assert.deepEqual(nb.cells[2].outputs, []);
    const html = fs.readFileSync(path.join(dir, "dies.html"), "utf8");
    assert.ok(html.includes("KernelDied: the kernel died while running cell 2"));
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/,
      "--untrusted reaches the page",
    );
  });
});
