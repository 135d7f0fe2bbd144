/**
 * Headless notebook runner: starts the kernel in the notebook's folder, executes every code cell in
 * order, and writes the executed notebook (outputs + widget state) and an HTML page of it.
 */
import * as fs from "fs";
import * as path from "path";
import { ExecuteTimeout, KernelClient, KernelDied, withTimeout, type LaunchOptions } from "./client";
import { KERNEL_NAMES } from "./installer";
import { cellSource, OutputCollector, readNotebook, type Cell, type Notebook, type Output } from "./notebook";
import { notebookToHtml, type HtmlOptions } from "./notebook-html";
import { markTrusted } from "./trust";
import { WIDGET_STATE_MIME, WidgetStateTracker } from "./widget-state";
import type { JupyterMessage } from "./wire";

export interface RunOptions {
  /** Per-cell limit in seconds (default 600). A cell over it is interrupted and counts as an error. */
  timeoutSec?: number;
  /** Go on after a failing cell (its error stays in the outputs). Default: stop at the first error. */
  allowErrors?: boolean;
  /** Folder for the outputs. Default: the notebook's folder. */
  outDir?: string;
  /** Write the HTML page (default true). */
  html?: boolean;
  htmlOptions?: HtmlOptions;
  /**
   * Treat even this run's outputs as untrusted: the page sanitises every output and lets only its own
   * scripts run (a student's submission, a notebook from elsewhere). Default: this run's outputs are
   * trusted, outputs it did not produce (cells after a stop) are sanitised.
   */
  untrusted?: boolean;
  /** Kernel launch settings; `cwd` defaults to the notebook's folder. */
  kernel?: LaunchOptions;
  /** Progress events (the CLI prints them). */
  onProgress?: (event: RunProgress) => void;
  /** Run this notebook instead of the file's contents (the path still names the outputs and the kernel's folder). */
  notebook?: Notebook;
}

/** How a code cell ended: "stopped" when the kernel died or hung, so it and the cells after it did not run to the end. */
export type CellStatus = "ok" | "error" | "timeout" | "stopped";

export type RunProgress =
  | { kind: "start"; notebook: string; codeCells: number }
  | { kind: "kernel-ready"; ms: number }
  | { kind: "cell-start"; index: number; codeIndex: number; codeCells: number; source: string }
  | { kind: "cell-done"; index: number; codeIndex: number; codeCells: number; ms: number; status: CellStatus }
  | { kind: "done"; ok: boolean; ms: number };

export interface CellFailure {
  /** Index among all cells (0-based). */
  cellIndex: number;
  source: string;
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface RunResult {
  ok: boolean;
  /** The executed notebook, also written to `notebookPath`. */
  notebook: Notebook;
  notebookPath: string;
  /** Undefined when `html: false`. */
  htmlPath?: string;
  /** The first failing cell. */
  failure?: CellFailure;
  /** Every failing cell (more than one only with allowErrors). */
  failures: CellFailure[];
  /** Every code cell that ran (empty ones are skipped), in order; cells after a "stopped" one did not run. */
  cellTimesMs: { cellIndex: number; ms: number; status: CellStatus }[];
  totalMs: number;
}

/** Output file names: `<name>.ipynb` in another folder, `<name>.executed.ipynb` beside the source. */
export function outputPaths(notebookPath: string, outDir?: string): { notebook: string; html: string } {
  const name = path.basename(notebookPath).replace(/\.ipynb$/i, "");
  const dir = path.resolve(outDir ?? path.dirname(notebookPath));
  const same = dir === path.resolve(path.dirname(notebookPath));
  return { notebook: path.join(dir, same ? `${name}.executed.ipynb` : `${name}.ipynb`), html: path.join(dir, `${name}.html`) };
}

function failureFrom(cellIndex: number, cell: Cell, outputs: Output[], reply?: JupyterMessage): CellFailure {
  // the last error: the runner's own verdict (a timeout, a dead kernel) comes after what the cell printed
  const err = [...outputs].reverse().find((o) => o.output_type === "error") as
    Extract<Output, { output_type: "error" }> | undefined;
  const c = reply?.content ?? {};
  return {
    cellIndex,
    source: cellSource(cell),
    ename: err?.ename ?? c.ename ?? "Error",
    evalue: err?.evalue ?? c.evalue ?? `cell ended with status ${c.status}`,
    traceback: err?.traceback ?? c.traceback ?? [],
  };
}

function isJavaScript(nb: Notebook): boolean {
  const lang = nb.metadata.kernelspec?.language ?? nb.metadata.language_info?.name;
  return typeof lang === "string" && lang.toLowerCase() === "javascript";
}

export async function runNotebook(notebookPath: string, options: RunOptions = {}): Promise<RunResult> {
  const t0 = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  const nb = options.notebook ?? readNotebook(fs.readFileSync(notebookPath, "utf8"), notebookPath);
  const js = isJavaScript(nb);
  const codeCells = nb.cells.filter((c) => c.cell_type === "code").length;
  progress({ kind: "start", notebook: notebookPath, codeCells });

  const paths = outputPaths(notebookPath, options.outDir);
  const timeoutMs = (options.timeoutSec ?? 600) * 1000;
  const collector = new OutputCollector();
  const widgets = new WidgetStateTracker();
  const cellOf = new Map<string, Output[]>(); // execute msg_id → the outputs of its cell
  const failures: CellFailure[] = [];
  const cellTimesMs: RunResult["cellTimesMs"] = [];
  const produced: Output[][] = []; // the output lists this run filled (trusted on the page)

  // A run must not depend on timing: every cell waits for the type checker (no unchecked first cells).
  const env = { ...(options.kernel?.env ?? process.env), DEEPVIZ_WAIT_FOR_CHECKER: "1" };
  const client = await KernelClient.launch({ cwd: path.dirname(path.resolve(notebookPath)), js, ...options.kernel, env });
  try {
    progress({ kind: "kernel-ready", ms: Date.now() - t0 });
    const info = await client.kernelInfo();
    // Routed by parent, so output that arrives late (timers, widget callbacks) still finds its cell.
    client.onIopub((m) => {
      widgets.observe(m);
      const outputs = m.parent_header.msg_id ? cellOf.get(m.parent_header.msg_id) : undefined;
      if (outputs) collector.add(outputs, m);
    });
    let codeIndex = 0;
    for (const [index, cell] of nb.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      codeIndex++;
      const outputs: Output[] = [];
      produced.push(outputs);
      cell.outputs = outputs;
      cell.execution_count = null;
      const source = cellSource(cell);
      if (source.trim() === "") continue;
      progress({ kind: "cell-start", index, codeIndex, codeCells, source });
      const started = Date.now();
      let status: CellStatus = "ok";
      let reply: JupyterMessage | undefined;
      try {
        const outcome = await client.execute(source, {
          timeoutMs,
          onRequest: (header) => cellOf.set(header.msg_id, outputs),
        });
        reply = outcome.reply;
        cell.execution_count = reply.content.execution_count ?? null;
        if (reply.content.status !== "ok") status = "error";
      } catch (e) {
        if (e instanceof KernelDied) {
          status = "stopped";
          const lines = e.message.split("\n"); // name the cell: the page and the notebook say where it died
          outputs.push({
            output_type: "error",
            ename: "KernelDied",
            evalue: `the kernel died while running cell ${index + 1}: ${lines[0]}`,
            traceback: lines,
          });
        } else if (e instanceof ExecuteTimeout) {
          status = "timeout";
          await client.interrupt();
          // A loop that runs after an await ignores the interrupt and keeps the kernel busy for good.
          const recovered = await withTimeout(client.execute("", { timeoutMs: 10_000 }), 15_000).then(
            () => true,
            () => false,
          );
          if (!recovered) status = "stopped";
          outputs.push({
            output_type: "error",
            ename: "CellTimeoutError",
            evalue:
              `${e.message}; interrupted` +
              (recovered ? "" : ", but the kernel stayed busy, so it was stopped and no later cell ran"),
            traceback: [],
          });
        } else throw e;
      }
      const ms = Date.now() - started;
      cellTimesMs.push({ cellIndex: index, ms, status });
      progress({ kind: "cell-done", index, codeIndex, codeCells, ms, status });
      if (status !== "ok") {
        failures.push(failureFrom(index, cell, outputs, reply));
        if (!options.allowErrors || status === "stopped") break;
      }
    }
    nb.metadata.language_info = info.content.language_info ?? nb.metadata.language_info;
    nb.metadata.kernelspec ??= js
      ? { name: KERNEL_NAMES.javascript, display_name: "JavaScript (DeepViz)", language: "javascript" }
      : { name: KERNEL_NAMES.typescript, display_name: "TypeScript (DeepViz)", language: "typescript" };
  } finally {
    await client.close();
  }
  for (const outputs of produced) outputs.forEach(markTrusted);
  if (widgets.size > 0) nb.metadata.widgets = { [WIDGET_STATE_MIME]: markTrusted(widgets.toJSON()) };
  else delete nb.metadata.widgets;

  fs.mkdirSync(path.dirname(paths.notebook), { recursive: true });
  fs.writeFileSync(paths.notebook, JSON.stringify(nb, null, 1) + "\n");
  let htmlPath: string | undefined;
  if (options.html !== false) {
    htmlPath = paths.html;
    const title = path.basename(notebookPath).replace(/\.ipynb$/i, "");
    fs.writeFileSync(htmlPath, notebookToHtml(nb, { title, untrusted: options.untrusted, ...options.htmlOptions }));
  }
  const ok = failures.length === 0;
  const totalMs = Date.now() - t0;
  progress({ kind: "done", ok, ms: totalMs });
  return { ok, notebook: nb, notebookPath: paths.notebook, htmlPath, failure: failures[0], failures, cellTimesMs, totalMs };
}
