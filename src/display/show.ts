import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { getCommManager } from "../../kernel-ext/src/comm-api";
import { MimeBundle } from "../core/display-registry";
import { fail } from "../errors";
import { bundleOf, ShowOptions } from "./bundles";

/** Options of an updatable display: later sends with `update: true` replace the output with this id. */
export interface DisplayTarget {
  displayId?: string;
  update?: boolean;
}

/**
 * How to put a bundle into the running notebook cell: through the DeepViz kernel's comm manager, else
 * tslab's display hook; null outside a notebook.
 */
export function notebookDisplay(): ((bundle: MimeBundle, target?: DisplayTarget) => void) | null {
  const cm = getCommManager();
  if (typeof cm?.display === "function") return (bundle, target = {}) => cm.display(bundle, {}, target);
  const write = tslabWriter();
  if (write) {
    return (bundle, target = {}) =>
      write(
        { data: bundle, metadata: {}, transient: target.displayId ? { display_id: target.displayId } : {} },
        target.update === true,
      );
  }
  return null;
}

type TslabWriter = (
  msg: { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> },
  update: boolean,
) => void;

/** tslab's own display hook: set only while code runs inside a tslab kernel. */
function tslabWriter(): TslabWriter | null {
  try {
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData?: TslabWriter | null };
    return jupyter.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}

/** Whether code runs inside a notebook kernel (ours or plain tslab). */
export function inNotebook(): boolean {
  const cm = getCommManager();
  return typeof cm?.display === "function" || tslabWriter() !== null;
}

/** Where show() writes files outside a notebook: $DEEPVIZ_OUTPUT_DIR or <tmp>/deepviz. */
export function outputDir(): string {
  return process.env.DEEPVIZ_OUTPUT_DIR || path.join(os.tmpdir(), "deepviz");
}

let counter = 0;

/** Writes the richest file a terminal user can open: PNG, else HTML, else text. */
function writeBundle(bundle: MimeBundle, name?: string): string {
  const dir = outputDir();
  fs.mkdirSync(dir, { recursive: true });
  const stem = path.join(dir, name ?? `show-${process.pid}-${++counter}`);
  if (typeof bundle["image/png"] === "string") {
    fs.writeFileSync(stem + ".png", Buffer.from(bundle["image/png"] as string, "base64"));
    return stem + ".png";
  }
  const plot = bundle["application/vnd.plotly.v1+json"] as { data: unknown[]; layout: Record<string, unknown> } | undefined;
  if (plot) {
    const { plotlyHtml } = require("./plotly-html") as typeof import("./plotly-html");
    fs.writeFileSync(stem + ".html", `<!doctype html><meta charset="utf-8"><body>${plotlyHtml(plot, true)}</body>`);
    return stem + ".html";
  }
  if (typeof bundle["text/html"] === "string") {
    fs.writeFileSync(stem + ".html", `<!doctype html><meta charset="utf-8"><body>${bundle["text/html"]}</body>`);
    return stem + ".html";
  }
  fs.writeFileSync(stem + ".txt", String(bundle["text/plain"] ?? ""));
  return stem + ".txt";
}

/**
 * Shows x in the current notebook cell (attributions, pictures, plots, tensors, models). Outside a
 * notebook it writes a file (PNG for pictures, HTML for plots and tables), prints its path and returns it.
 */
export function show(x: unknown, options: ShowOptions & { name?: string } = {}): string | void {
  const { name, ...o } = options;
  const bundle = bundleOf(x, o);
  if (!("text/plain" in bundle)) fail("internal: a display bundle lacks its text/plain fallback.");
  const send = notebookDisplay();
  if (send) {
    send(bundle);
    return;
  }
  const file = writeBundle(bundle, name);
  console.log(`dv.show: wrote ${file}`);
  return file;
}
