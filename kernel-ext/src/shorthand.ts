/**
 * tslab rewrites a reference to an earlier cell's variable `foo` as `exports.foo`, but it misses the
 * shorthand property `{ foo }`, which then fails with "foo is not defined". Spelling such properties
 * out (`{ foo: foo }`, `{ foo: foo = 1 }` in a destructuring assignment) means the same thing and
 * lets tslab's rewrite see the reference.
 */
import * as ts from "@tslab/typescript-for-tslab";

export function expandShorthandProperties(src: string): string {
  const file = ts.createSourceFile("cell.tsx", src, ts.ScriptTarget.Latest, false, ts.ScriptKind.TSX);
  const edits: number[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isShorthandPropertyAssignment(node)) edits.push(node.name.getEnd());
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (!edits.length) return src;
  let out = src;
  // from the end, so earlier positions stay valid
  for (const end of edits.sort((a, b) => b - a)) {
    const name = src.slice(0, end).match(/[A-Za-z_$][\w$]*$/)![0];
    out = `${out.slice(0, end)}: ${name}${out.slice(end)}`;
  }
  return out;
}
