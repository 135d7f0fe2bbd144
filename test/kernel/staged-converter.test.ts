/**
 * The kernel's quick start (staged-converter.ts): cells run untyped until the checker thread is ready,
 * then are replayed through it. Driven through tslab's own executor, in this process, so "before the
 * checker is ready" is exact: the checker's messages are only read when the event loop turns or a call
 * waits for it, and these cells run without yielding to it.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { format } from "util";
import { createExecutor } from "tslab/dist/executor";
import { StagedConverter } from "../../kernel-ext/src/staged-converter";
import { REPO } from "./helpers";

function harness(quick: boolean) {
  const logged: unknown[] = [];
  const errors: string[] = [];
  const staged = new StagedConverter(false, quick, REPO, () => undefined);
  staged.start();
  const fail = () => {
    throw new Error("no browser cells here");
  };
  const executor = createExecutor(
    REPO,
    {
      node: staged,
      get browser(): never {
        return fail();
      },
      close: () => staged.close(),
    },
    { log: (v: unknown) => logged.push(v), error: (...a: unknown[]) => errors.push(format(...a)) },
  );
  return { staged, executor, logged, errors };
}

describe("kernel quick start: untyped first cells, then the type checker", function () {
  it("runs cells untyped at once, then checks later cells against their real types and reports their type errors", async function () {
    const { staged, executor, logged, errors } = harness(true);
    try {
      await staged.whenConvertible("const a = 20; a + 1"); // at once: it can run untyped
      assert.equal(await executor.execute("const a = 20; a + 1"), true);
      assert.equal(staged.checking, false, "the first cells must not wait for the checker");
      // a type error in an untyped cell: it runs
      assert.equal(await executor.execute("const s: string = a; s"), true);
      // names of earlier cells, a function, top-level await
      assert.equal(await executor.execute("function twice(x: number) { return 2 * x; }\nawait Promise.resolve(twice(a))"), true);
      assert.deepEqual(logged, [21, 20, 40]);
      // syntax errors still fail an untyped cell
      assert.equal(await executor.execute("const = ;"), false);
      assert.match(errors.join("\n"), /1:7 - Variable declaration expected/);
      assert.equal(staged.checking, false);

      // Completion waits for the checker: it knows `a` is a number, from the replay of cell 1.
      const completion = executor.complete("a.toFi", 6);
      assert.ok(completion.candidates.includes("toFixed"), JSON.stringify(completion.candidates));
      assert.equal(staged.checking, true);
      const notes = staged.takeNotes();
      assert.equal(notes.length, 1, notes.join("\n---\n"));
      assert.match(notes[0]!, /\| const s: string = a; s\n {2}1:7 - Type 'number' is not assignable to type 'string'/);
      assert.deepEqual(staged.takeNotes(), []);

      // Later cells are type-checked against the untyped cells' real declarations.
      errors.length = 0;
      assert.equal(await executor.execute("const t: string = twice(1);"), false);
      assert.match(errors.join("\n"), /Type 'number' is not assignable to type 'string'/);
      // the cell with a type error ran, so its names exist (untyped) for later cells
      assert.equal(await executor.execute("s"), true);
      assert.equal(logged.at(-1), 20);
    } finally {
      executor.close();
    }
  });

  it("makes every cell wait for the checker when quick is off (the runner's mode)", async function () {
    const { staged, executor, errors } = harness(false);
    try {
      // a cell awaits the checker (the event loop runs meanwhile, so interrupts are heard)
      assert.equal(staged.checking, false);
      await staged.whenConvertible("1");
      assert.equal(staged.checking, true);
      assert.equal(await executor.execute(`const n: number = "x";`), false);
      assert.match(errors.join("\n"), /Type 'string' is not assignable to type 'number'/);
      assert.equal(staged.checking, true);
    } finally {
      executor.close();
    }
  });

  it("waits for the checker for a cell that imports a local file (the checker compiles it)", async function () {
    // tslab resolves cells' imports from the process's folder (the kernel runs in the notebook's)
    const dir = fs.mkdtempSync(path.join(REPO, "test", "kernel", "fixtures", "local-"));
    const { staged, executor, logged } = harness(true);
    try {
      fs.writeFileSync(path.join(dir, "helper.ts"), "export const three: number = 3;\n");
      const from = "./" + path.relative(process.cwd(), path.join(dir, "helper")).split(path.sep).join("/");
      assert.equal(staged.checking, false);
      assert.equal(await executor.execute(`import { three } from ${JSON.stringify(from)}; three + 1`), true);
      assert.equal(staged.checking, true, "the local import went through the checker");
      assert.deepEqual(logged, [4]);
    } finally {
      executor.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("kernel compile cache", function () {
  it("loads TypeScript through V8's code cache and writes the cache beside the package", function () {
    const cacheDir = path.join(REPO, "node_modules", ".cache", "deepviz-kernel");
    fs.rmSync(cacheDir, { recursive: true, force: true });
    const script = `require("tsx/cjs"); require(${JSON.stringify(path.join(REPO, "kernel-ext/src/compile-cache.ts"))}).useCompileCache();
const ts = require("@tslab/typescript-for-tslab");
process.stdout.write(ts.transpileModule("let x: number = 1", {}).outputText);
setTimeout(() => {}, 4500);`;
    const written: number[] = [];
    for (let run = 0; run < 2; run++) {
      const out = execFileSync(process.execPath, ["-e", script], { cwd: REPO, encoding: "utf8", timeout: 60_000 });
      assert.equal(out.trim(), "var x = 1;");
      const files = fs.readdirSync(cacheDir).filter((f) => f.endsWith(".bin"));
      assert.equal(files.length, 1);
      written.push(fs.statSync(path.join(cacheDir, files[0]!)).mtimeMs);
    }
    // the first run wrote the cache; the second accepted it, so wrote it not again
    assert.equal(written[1], written[0]);
  });
});
