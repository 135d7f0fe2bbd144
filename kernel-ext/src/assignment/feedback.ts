/**
 * One HTML feedback page per graded submission (nbgrader's generate_feedback). The submission is untrusted:
 * its Markdown and every output become escaped text, and the page's policy lets no script run at all.
 */
import { cellSource, type Cell, type Notebook, type Output } from "../notebook";
import { escapeHtml, notebookToHtml } from "../notebook-html";
import { nbgraderMeta } from "./format";
import type { GradeResult } from "./grade";

const POLICY = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`;

const STYLE = `<style>
.dv-grade { border-collapse: collapse; margin: 1rem 0; }
.dv-grade td, .dv-grade th { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
.dv-pass { color: #060; } .dv-fail { color: #900; }
</style>`;

function outputText(out: Output): string {
  switch (out.output_type) {
    case "stream":
      return out.text;
    case "error":
      return `${out.ename}: ${out.evalue}`;
    default: {
      const text = out.data["text/plain"];
      const kinds = Object.keys(out.data).filter((k) => k !== "text/plain");
      return (Array.isArray(text) ? text.join("") : typeof text === "string" ? text : "") + (kinds.length ? `\n[${kinds.join(", ")} not shown]` : "");
    }
  }
}

/** A Markdown fence longer than any backtick run in the text, so the text cannot end it. */
function fenced(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((s) => s.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

function markdownCell(text: string): Cell {
  return { cell_type: "markdown", source: text, metadata: {} };
}

function resultTable(title: string, result: GradeResult): string {
  const rows = result.tests.map((t) => {
    const cls = t.earned === t.points ? "dv-pass" : "dv-fail";
    return `<tr><td>${escapeHtml(t.id)}</td><td class="${cls}">${t.earned} / ${t.points}</td><td>${escapeHtml(t.message)}</td></tr>`;
  });
  const manual = (result.manual ?? []).map((m) => `<tr><td>${escapeHtml(m.id)}</td><td>— / ${m.points}</td><td>graded by hand</td></tr>`);
  return `<h1>${escapeHtml(title)}: ${result.score} / ${result.max}</h1>\n<table class="dv-grade"><tr><th>test</th><th>points</th><th>message</th></tr>${[...rows, ...manual].join("")}</table>`;
}

export function feedbackHtml(title: string, executed: Notebook, result: GradeResult): string {
  const results = new Map(result.tests.map((t) => [t.id, t]));
  const cells: Cell[] = [markdownCell(resultTable(title, result))];
  for (const cell of executed.cells) {
    if (cell.cell_type !== "code") {
      // The student's Markdown may hold HTML, links or scripts: show it as text.
      cells.push(markdownCell(fenced(cellSource(cell))));
      continue;
    }
    const outputs: Output[] = (cell.outputs ?? []).map((o) => ({ output_type: "stream", name: o.output_type === "error" ? "stderr" : "stdout", text: outputText(o) }));
    cells.push({ ...cell, outputs });
    const test = results.get(nbgraderMeta(cell)?.grade_id ?? "");
    if (test) {
      const verdict = test.earned === test.points ? `<p class="dv-pass">✔ test <b>${escapeHtml(test.id)}</b>: ${test.earned} / ${test.points}</p>` : `<p class="dv-fail">✘ test <b>${escapeHtml(test.id)}</b>: ${test.earned} / ${test.points}: ${escapeHtml(test.message)}</p>`;
      cells.push(markdownCell(verdict));
    }
  }
  return notebookToHtml({ ...executed, metadata: {}, cells }, { title: `${title}: ${result.score} / ${result.max}`, head: POLICY + STYLE });
}
