import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { backend } from "../src";

describe("backend", () => {
  it("starts the fastest installed backend and reports it", async () => {
    const name = await backend();
    assert.ok(["tensorflow", "wasm", "cpu"].includes(name));
    assert.equal(tf.getBackend(), name);
    // without tfjs-node installed, wasm is the default that always works
    if (!process.env.DEEPVIZ_BACKEND) {
      let hasNode = true;
      try { require.resolve("@tensorflow/tfjs-node"); } catch { hasNode = false; }
      if (!hasNode) assert.equal(name, "wasm");
    }
  });
});
