import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { backend } from "../src";
import { useBackend } from "../src/backend";
import { fastKernelsOn } from "../src/wasm";

describe("backend", () => {
  it("starts the fastest installed backend and reports it", async () => {
    const name = await backend();
    assert.ok(["tensorflow", "wasm", "cpu"].includes(name));
    assert.equal(tf.getBackend(), name);
    // without tfjs-node installed, wasm is the default that always works
    if (!process.env.DEEPVIZ_BACKEND) {
      let hasNode = true;
      try {
        require.resolve("@tensorflow/tfjs-node");
      } catch {
        hasNode = false;
      }
      if (!hasNode) assert.equal(name, "wasm");
    }
  });
});

describe("DEEPVIZ_BACKEND", () => {
  const { execFileSync } = require("child_process") as typeof import("child_process");
  const run = (value: string) => {
    const code =
      'require("./src").backend().then((b) => console.log("chose " + b), (e) => console.log(e.name + ": " + e.message))';
    return execFileSync(process.execPath, ["--require", "tsx/cjs", "-e", code], {
      env: { ...process.env, DEEPVIZ_BACKEND: value },
      encoding: "utf8",
    });
  };
  it("forces a backend", () => {
    assert.match(run("cpu"), /chose cpu/);
  });
  it("names the valid choices when the value is wrong", () => {
    assert.match(run("gpu9000"), /DeepVizError: DEEPVIZ_BACKEND="gpu9000" is not a backend; use one of tensorflow, wasm, cpu/);
  });
  it("says what to install when tensorflow is forced but missing", function () {
    let installed = true;
    try {
      require.resolve("@tensorflow/tfjs-node");
    } catch {
      installed = false;
    }
    if (installed) this.skip(); // with tfjs-node present, forcing tensorflow succeeds: nothing to report
    assert.match(run("tensorflow"), /could not be started. Install @tensorflow\/tfjs-node/);
  });
});

describe("useBackend", () => {
  it("switches to the named backend, reports it from then on, and switches back", async () => {
    const chosen = await backend();
    const other = chosen === "cpu" ? "wasm" : "cpu";
    const previous = await useBackend(other);
    try {
      assert.equal(previous, chosen);
      assert.equal(tf.getBackend(), other);
      assert.equal(await backend(), other);
      assert.deepEqual(Array.from(tf.tidy(() => tf.add([1, 2], [3, 4]).dataSync())), [4, 6]);
    } finally {
      assert.equal(await useBackend(previous), other);
    }
    assert.equal(tf.getBackend(), chosen);
    // the wasm hooks ran for wasm whichever way round: the library's kernels are on there
    if (chosen === "wasm" || other === "wasm") assert.ok(fastKernelsOn());
  });
});
