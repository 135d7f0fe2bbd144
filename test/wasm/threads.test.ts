import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";

/** Threaded wasm in Node: on by default (one thread per core), DEEPVIZ_WASM_THREADS chooses; results equal one thread's. */
describe("multithreaded wasm in Node", function () {
  this.timeout(60000);
  const run = (threads: string | undefined) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DEEPVIZ_WASM_THREADS: threads };
    if (threads === undefined) delete env.DEEPVIZ_WASM_THREADS;
    env.DEEPVIZ_BACKEND = "wasm"; // threads are a wasm feature: never let the child pick another backend
    const out = execFileSync(
      process.execPath,
      ["--require", require.resolve("tsx/cjs"), path.join(__dirname, "threads-child.ts")],
      { env, encoding: "utf8", timeout: 50000 },
    ); // the child must exit on its own
    return JSON.parse(out) as { backend: string; threads: number; grad: number[] };
  };

  it("runs XNNPACK on 2 threads and computes the same gradient as 1 thread", () => {
    const one = run("1");
    const two = run("2");
    assert.equal(one.backend, "wasm");
    assert.equal(two.backend, "wasm");
    assert.equal(one.threads, 1);
    assert.equal(two.threads, 2);
    assert.equal(two.grad.length, 2 * 16 * 16 * 8);
    two.grad.forEach((v, i) =>
      assert.ok(Math.abs(v - one.grad[i]!) <= 1e-4 * Math.max(1, Math.abs(one.grad[i]!)), `element ${i}`),
    );
  });

  it("uses one thread per available core when DEEPVIZ_WASM_THREADS is unset", () => {
    const os = require("os") as typeof import("os");
    const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
    const byDefault = run(undefined);
    assert.equal(byDefault.backend, "wasm");
    assert.equal(byDefault.threads, Math.min(cores, 16));
  });
});
