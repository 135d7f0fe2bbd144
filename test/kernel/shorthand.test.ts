import { strict as assert } from "assert";
import { expandShorthandProperties } from "../../kernel-ext/src/shorthand";

describe("shorthand properties are spelled out before tslab sees a cell", () => {
  it("expands object literals and destructuring assignments, and leaves everything else alone", () => {
    assert.equal(expandShorthandProperties("const o = { foo, bar: 2, baz };"), "const o = { foo: foo, bar: 2, baz: baz };");
    assert.equal(expandShorthandProperties("({ a = 1, b } = obj);"), "({ a: a = 1, b: b } = obj);");
    assert.equal(expandShorthandProperties("f({ x }, [y], { ...rest });"), "f({ x: x }, [y], { ...rest });");
    const untouched = "const { a, b } = obj;\nfunction g({ c }: { c: number }) { return c; }\nconst s = `{ d }`; // { e }";
    assert.equal(expandShorthandProperties(untouched), untouched);
  });
});
