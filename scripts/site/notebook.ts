/** The parts of the Jupyter notebook format (nbformat 4) that the site reads and the pipeline writes. */

export type MultilineString = string | string[];

export interface NotebookOutput {
  output_type: "stream" | "display_data" | "execute_result" | "error" | "update_display_data";
  name?: string; // stream: stdout / stderr
  text?: MultilineString; // stream
  data?: Record<string, unknown>; // display_data / execute_result
  metadata?: Record<string, unknown>;
  ename?: string; // error
  evalue?: string;
  traceback?: string[];
  execution_count?: number | null;
}

export interface NotebookCell {
  cell_type: "markdown" | "code" | "raw";
  source: MultilineString;
  metadata?: Record<string, unknown>;
  outputs?: NotebookOutput[];
  execution_count?: number | null;
}

/** Saved widget state, as nbclient and JupyterLab store it under metadata.widgets. */
export interface WidgetState {
  version_major: number;
  version_minor: number;
  state: Record<string, { model_name: string; model_module: string; model_module_version: string; state: Record<string, unknown> }>;
}

export const WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json";
export const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

export interface Notebook {
  cells: NotebookCell[];
  metadata: {
    kernelspec?: { name: string; display_name: string; language?: string };
    language_info?: Record<string, unknown>;
    widgets?: { [WIDGET_STATE_MIME]?: WidgetState };
    [key: string]: unknown;
  };
  nbformat: number;
  nbformat_minor: number;
}

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
