import { strict as assert } from "node:assert";
import { putBuffers, removeBuffers } from "../../widgets/src/buffers";

describe("widgets: binary buffers in state", () => {
  it("takes buffers out of objects and lists at any depth, recording their paths in order", () => {
    const img = new Uint8Array([1, 2, 3]);
    const inList = new Uint8Array([4]);
    const deep = new Float32Array([0.5, -2]);
    const state = { a: 1, img, nested: { list: [7, inList, { deep, keep: "x" }] } };
    const split = removeBuffers(state);
    assert.deepEqual(split.state, { a: 1, nested: { list: [7, null, { keep: "x" }] } });
    assert.deepEqual(split.buffer_paths, [["img"], ["nested", "list", 1], ["nested", "list", 2, "deep"]]);
    assert.equal(split.buffers[0], img);
    assert.equal(split.buffers[1], inList);
    assert.equal(split.buffers[2], deep);
    // The caller's state is untouched.
    assert.equal(state.img, img);
    assert.equal(state.nested.list[1], inList);
    assert.equal((state.nested.list[2] as any).deep, deep);
  });

  it("puts buffers back where the paths say (the inverse of removing them)", () => {
    const state: Record<string, unknown> = { a: 1, nested: { list: [7, null, { keep: "x" }] } };
    const deepBytes = new Uint8Array(new Float32Array([0.5, -2]).buffer);
    putBuffers(
      state,
      [["img"], ["nested", "list", 1], ["nested", "list", 2, "deep"]],
      [new Uint8Array([1, 2, 3]), new DataView(new Uint8Array([4]).buffer), deepBytes],
    );
    assert.deepEqual([...(state.img as Uint8Array)], [1, 2, 3]);
    const list = (state.nested as any).list;
    assert.ok(list[1] instanceof Uint8Array, "a DataView comes back as bytes");
    assert.deepEqual([...list[1]], [4]);
    assert.deepEqual([...new Float32Array(list[2].deep.slice().buffer)], [0.5, -2]);
    assert.equal(list[2].keep, "x");
  });

  it("refuses a message that names more paths than it carries buffers", () => {
    assert.throws(() => putBuffers({}, [["a"], ["b"]], [new Uint8Array(1)]), /2 buffer paths but carries 1/);
  });
});
