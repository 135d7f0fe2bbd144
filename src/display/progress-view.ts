/**
 * Progress of long work, drawn where the user looks: in a notebook an updatable display (one output
 * that each update replaces, completed at the end), in a terminal one line on stderr; nothing otherwise.
 * src/core/work.ts decides when to draw (work over about a second, a few redraws per second).
 */
import { Progress, ProgressView, setProgressViews } from "../core/work";
import { notebookDisplay } from "./show";

let counter = 0;

function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** One line: what runs, how far, how long it has run and about how long is left (or how it ended). */
export function progressLine(p: Progress, outcome?: "done" | "aborted" | "failed"): string {
  if (outcome === "done") return `${p.task}: ${p.total} ${p.unit} in ${seconds(p.elapsedMs)}`;
  if (outcome) return `${p.task}: ${outcome} after ${p.done} of ${p.total} ${p.unit} (${seconds(p.elapsedMs)})`;
  const eta = p.etaMs === undefined ? "" : `, about ${seconds(p.etaMs)} left`;
  return `${p.task}: ${p.done}/${p.total} ${p.unit} (${Math.floor((100 * p.done) / p.total)}%), ${seconds(p.elapsedMs)}${eta}`;
}

function bar(p: Progress, width: number): string {
  const full = Math.round((width * p.done) / p.total);
  return "█".repeat(full) + "░".repeat(width - full);
}

function notebookView(): ProgressView | null {
  const send = notebookDisplay();
  if (!send) return null;
  const displayId = `deepviz-progress-${process.pid}-${++counter}`;
  let shown = false;
  const draw = (p: Progress, outcome?: "done" | "aborted" | "failed") => {
    const line = progressLine(p, outcome);
    const colour = outcome === "aborted" || outcome === "failed" ? "#b00" : "#2a7ab9";
    // the task name and unit come from the library, never from cell input; only digits and words
    const html =
      `<div style="font:12px monospace"><progress value="${p.done}" max="${p.total}" ` +
      `style="width:240px;vertical-align:middle;accent-color:${colour}"></progress> ${line.replace(/[<>&"]/g, "")}</div>`;
    send({ "text/plain": `${bar(p, 30)} ${line}`, "text/html": html }, { displayId, update: shown });
    shown = true;
  };
  return { update: (p) => draw(p), end: (p, outcome) => draw(p, outcome) };
}

function terminalView(): ProgressView | null {
  if (!process.stderr.isTTY) return null;
  const write = (text: string) => process.stderr.write(text);
  return {
    update: (p) => write(`\r${bar(p, 24)} ${progressLine(p)}\x1b[K`),
    end: (p, outcome) => write(`\r${bar(p, 24)} ${progressLine(p, outcome)}\x1b[K\n`),
  };
}

setProgressViews(() => notebookView() ?? terminalView());
