import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { useBackend, type BackendName } from "../../src/backend";

/** Identity and same-dtype Cast share data instead of copying it; values and lifetimes stay right. */
describe("wasm Identity and Cast without copies", function () {
  let previous: BackendName;
  before(async function () {
    previous = await useBackend("wasm"); // wasm kernels: run them there whatever backend() chose
  });
  after(() => useBackend(previous));

  const wasm = () => tf.backend() as unknown as { numDataIds(): number };

  it("a clone outlives its source and both free their data", () => {
    const before = wasm().numDataIds();
    const x = tf.tensor([1, 2, 3]);
    const c = tf.clone(x);
    const same = tf.cast(x, "float32");
    const floats = tf.tensor([1.7, -2.2]);
    const ints = tf.cast(floats, "int32");
    assert.equal(wasm().numDataIds(), before + 3); // x (shared by c and same), floats, ints (a real copy)
    x.dispose();
    assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(same.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(ints.dataSync()), [1, -2]);
    assert.equal(ints.dtype, "int32");
    tf.dispose([c, same, ints, floats]);
    assert.equal(wasm().numDataIds(), before);
  });

  it("assigning a variable leaves earlier clones unchanged", () => {
    const v = tf.variable(tf.tensor([1, 2]));
    const c = tf.clone(v);
    v.assign(tf.tensor([5, 6]));
    assert.deepEqual(Array.from(c.dataSync()), [1, 2]);
    assert.deepEqual(Array.from(v.dataSync()), [5, 6]);
    tf.dispose([v, c]);
  });
});
