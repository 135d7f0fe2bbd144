/** The parts of the Jupyter notebook format (nbformat 4) that the site reads and the pipeline writes. */

// One set of notebook types: the kernel's (kernel-ext/src/notebook.ts); the MIME names are the kernel's contract.
import type { Cell, Notebook, Output } from "../../kernel-ext/src/notebook";
export { WIDGET_STATE_MIME, WIDGET_VIEW_MIME } from "../../kernel-ext/src/comm-api";
export type { Notebook };
export type NotebookCell = Cell;
export type NotebookOutput = Output;
export type MultilineString = string | string[];

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

export function joinSource(s: MultilineString | undefined): string {
  if (s === undefined) return "";
  return Array.isArray(s) ? s.join("") : s;
}

/** The first Markdown heading of a notebook, else the fallback (its file name). */
export function notebookTitle(nb: Notebook, fallback: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const m = /^\s*#{1,2}\s+(.+)$/m.exec(joinSource(cell.source));
    if (m) return m[1].trim();
  }
  return fallback;
}

/** Errors recorded in a notebook's outputs (an executed lesson must have none). */
export function notebookErrors(nb: Notebook): { cell: number; ename: string; evalue: string }[] {
  const found: { cell: number; ename: string; evalue: string }[] = [];
  nb.cells.forEach((cell, i) => {
    for (const out of cell.outputs ?? []) {
      if (out.output_type === "error") found.push({ cell: i, ename: out.ename ?? "Error", evalue: out.evalue ?? "" });
    }
  });
  return found;
}
