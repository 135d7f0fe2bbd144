/**
 * The student version of an instructor notebook (nbgrader's generate_assignment): solutions become stubs
 * that throw, hidden tests and every output go, Markdown answers become "YOUR ANSWER HERE".
 */
import { cellSource, type Cell, type Notebook } from "../notebook";
import { cellRole, checkAssignment, nbgraderMeta, regions, replaceRegions, splitLines } from "./format";

export const ANSWER_STUB = "YOUR ANSWER HERE";

/** The code that stands in for a solution: a comment and an error that says what to do. */
export function codeStub(gradeId: string, indent = ""): string[] {
  const message = `Not done yet: write your code in cell "${gradeId}" (replace this line), run it, then run the tests again.`;
  return [`${indent}// YOUR CODE HERE`, `${indent}throw new Error(${JSON.stringify(message)});`];
}

function setSource(cell: Cell, lines: string[]): void {
  const text = lines.join("\n");
  // nbformat stores source as lines that keep their "\n", the last one without.
  cell.source = text === "" ? [] : text.split(/(?<=\n)/);
}

function releaseCell(original: Cell): Cell {
  const cell: Cell = JSON.parse(JSON.stringify(original));
  const role = cellRole(cell);
  const lines = splitLines(cellSource(cell));
  const id = nbgraderMeta(cell)?.grade_id ?? "";
  const markdown = cell.cell_type !== "code";
  if (role === "answer" || role === "manual") {
    const found = regions(lines, "SOLUTION", id);
    if (found.length === 0) setSource(cell, markdown ? [ANSWER_STUB] : codeStub(id));
    else
      setSource(
        cell,
        replaceRegions(lines, found, (r) => (markdown ? [r.indent + ANSWER_STUB] : codeStub(id, r.indent))),
      );
  } else if (role === "test") {
    setSource(
      cell,
      replaceRegions(lines, regions(lines, "HIDDEN TESTS", id), () => []),
    );
  }
  if (cell.cell_type === "code") {
    cell.outputs = [];
    cell.execution_count = null;
  }
  return cell;
}

export function releaseNotebook(source: Notebook, what = "the source notebook"): Notebook {
  checkAssignment(source, what);
  const released: Notebook = {
    ...source,
    cells: source.cells.map(releaseCell),
    metadata: JSON.parse(JSON.stringify(source.metadata)),
  };
  delete released.metadata.widgets; // saved widget state is output too
  return released;
}
