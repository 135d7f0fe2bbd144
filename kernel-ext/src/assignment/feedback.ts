/**
 * One HTML feedback page per graded submission (nbgrader's generate_feedback). The submission is untrusted:
 * the page is written in notebook-html's untrusted mode (trust.ts: Markdown and every output sanitised,
 * a Content-Security-Policy that runs none of the submission's scripts), with each test's result after it.
 */
import { escapeHtml } from "../comm-api";
import type { Cell, Notebook } from "../notebook";
import { notebookToHtml } from "../notebook-html";
import { nbgraderMeta } from "./format";
import type { GradeResult } from "./grade";

const PASS = "color:#060",
  FAIL = "color:#900";

function markdownCell(html: string): Cell {
  return { cell_type: "markdown", source: html, metadata: {} };
}

function resultTable(title: string, result: GradeResult): string {
  const cell = (s: string, style = "") => `<td${style ? ` style="${style}"` : ""}>${s}</td>`;
  const rows = result.tests.map(
    (t) =>
      `<tr>${cell(escapeHtml(t.id))}${cell(`${t.earned} / ${t.points}`, t.earned === t.points ? PASS : FAIL)}${cell(escapeHtml(t.message))}</tr>`,
  );
  const manual = (result.manual ?? []).map(
    (m) => `<tr>${cell(escapeHtml(m.id))}${cell(`— / ${m.points}`)}${cell("graded by hand")}</tr>`,
  );
  return `<h1>${escapeHtml(title)}: ${result.score} / ${result.max}</h1>\n\n<table><tr><th>test</th><th>points</th><th>message</th></tr>${[...rows, ...manual].join("")}</table>`;
}

export function feedbackHtml(title: string, executed: Notebook, result: GradeResult): string {
  const results = new Map(result.tests.map((t) => [t.id, t]));
  const cells: Cell[] = [markdownCell(resultTable(title, result))];
  for (const cell of executed.cells) {
    cells.push(cell);
    const test = cell.cell_type === "code" ? results.get(nbgraderMeta(cell)?.grade_id ?? "") : undefined;
    if (!test) continue;
    const passed = test.earned === test.points;
    const verdict = `${passed ? "✔" : "✘"} test <b>${escapeHtml(test.id)}</b>: ${test.earned} / ${test.points}${passed ? "" : `: ${escapeHtml(test.message)}`}`;
    cells.push(markdownCell(`<p style="${passed ? PASS : FAIL}">${verdict}</p>`));
  }
  // no saved widget state: the page shows each widget's text instead
  return notebookToHtml(
    { ...executed, metadata: {}, cells },
    { title: `${title}: ${result.score} / ${result.max}`, untrusted: true },
  );
}
