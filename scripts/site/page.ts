/**
 * One executed notebook → one static HTML page. Markdown becomes HTML, images stay inline as data URLs,
 * widget views become the script tags that @jupyter-widgets/html-manager replaces with live views, and the
 * notebook's saved widget state goes into the page so those views render without a kernel.
 */
import { marked } from "marked";
import { escapeHtml } from "../../kernel-ext/src/comm-api";
import { stripAnsi } from "../../kernel-ext/src/notebook-html";
import {
  joinSource, Notebook, NotebookCell, NotebookOutput, PLOTLY_MIME, WIDGET_STATE_MIME, WIDGET_VIEW_MIME,
} from "./notebook";

export interface PageLinks {
  title: string;
  /** Relative link to the index page. */
  index: string;
  prev?: { href: string; title: string };
  next?: { href: string; title: string };
}

export interface RenderedPage {
  html: string;
  /** Which site assets this page needs (so the site copies only what is used). */
  usesWidgets: boolean;
  usesPlotly: boolean;
}


// JSON inside <script> must not close the tag early.
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/<\//g, "<\\/").replace(/<!--/g, "<\\!--");
}

function text(v: unknown): string {
  return Array.isArray(v) ? v.join("") : String(v ?? "");
}

class PageBuilder {
  usesWidgets = false;
  usesPlotly = false;
  private plotCount = 0;
  constructor(private readonly widgetIds: Set<string>) {}

  cell(cell: NotebookCell): string {
    if (cell.cell_type === "markdown") return `<section class="md">${marked.parse(joinSource(cell.source), { async: false })}</section>`;
    if (cell.cell_type === "raw") return "";
    const count = cell.execution_count ?? " ";
    const source = `<div class="in"><span class="prompt">[${count}]</span><pre class="code"><code>${escapeHtml(joinSource(cell.source))}</code></pre></div>`;
    const outputs = (cell.outputs ?? []).map((o) => this.output(o)).join("\n");
    return `<section class="cell">${source}${outputs ? `<div class="out">${outputs}</div>` : ""}</section>`;
  }

  private output(o: NotebookOutput): string {
    switch (o.output_type) {
      case "stream":
        return `<pre class="stream ${o.name === "stderr" ? "stderr" : "stdout"}">${escapeHtml(stripAnsi(text(o.text)))}</pre>`;
      case "error":
        return `<pre class="error">${escapeHtml(stripAnsi((o.traceback ?? [`${o.ename}: ${o.evalue}`]).join("\n")))}</pre>`;
      case "display_data":
      case "execute_result":
        return this.bundle(o.data ?? {}, o.metadata ?? {});
      default:
        return "";
    }
  }

  private bundle(data: Record<string, unknown>, metadata: Record<string, unknown>): string {
    const view = data[WIDGET_VIEW_MIME] as { model_id?: string } | undefined;
    if (view?.model_id && this.widgetIds.has(view.model_id)) {
      this.usesWidgets = true;
      return `<div class="widget"><script type="${WIDGET_VIEW_MIME}">${scriptJson(view)}</script></div>`;
    }
    if (data[PLOTLY_MIME]) {
      this.usesPlotly = true;
      const id = `plot-${this.plotCount++}`;
      return `<div class="plot" id="${id}"></div><script type="${PLOTLY_MIME}" data-target="${id}">${scriptJson(data[PLOTLY_MIME])}</script>`;
    }
    if (data["text/html"] !== undefined) return `<div class="html">${text(data["text/html"])}</div>`;
    if (data["image/svg+xml"] !== undefined) return `<div class="svg">${text(data["image/svg+xml"])}</div>`;
    for (const mime of ["image/png", "image/jpeg", "image/gif"]) {
      if (data[mime] === undefined) continue;
      const meta = (metadata[mime] ?? {}) as { width?: number; height?: number };
      const size = `${meta.width ? ` width="${meta.width}"` : ""}${meta.height ? ` height="${meta.height}"` : ""}`;
      const b64 = text(data[mime]).replace(/\s+/g, "");
      return `<img class="output-image" alt="cell output" src="data:${mime};base64,${b64}"${size}>`;
    }
    if (data["text/markdown"] !== undefined) return `<div class="md">${marked.parse(text(data["text/markdown"]), { async: false })}</div>`;
    if (data["text/plain"] !== undefined) return `<pre class="result">${escapeHtml(stripAnsi(text(data["text/plain"])))}</pre>`;
    return "";
  }
}

export function renderPage(nb: Notebook, links: PageLinks): RenderedPage {
  const state = nb.metadata.widgets?.[WIDGET_STATE_MIME];
  const builder = new PageBuilder(new Set(Object.keys(state?.state ?? {})));
  const body = nb.cells.map((c) => builder.cell(c)).join("\n");
  const nav = [
    links.prev ? `<a class="prev" href="${links.prev.href}">← ${escapeHtml(links.prev.title)}</a>` : "",
    `<a class="home" href="${links.index}">All lessons</a>`,
    links.next ? `<a class="next" href="${links.next.href}">${escapeHtml(links.next.title)} →</a>` : "",
  ].join("");
  const head = [
    `<link rel="stylesheet" href="_static/site.css">`,
    builder.usesWidgets ? `<link rel="stylesheet" href="_static/widgets.css">` : "",
    builder.usesPlotly ? `<script src="_static/plotly.js"></script>` : "",
  ].join("\n");
  const tail = [
    builder.usesWidgets ? `<script type="${WIDGET_STATE_MIME}">${scriptJson(state)}</script>` : "",
    builder.usesWidgets || builder.usesPlotly ? `<script src="_static/widgets.js"></script>` : "",
  ].join("\n");
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(links.title)} · DeepViz.ts lessons</title>
${head}
</head>
<body>
<nav>${nav}</nav>
<main>
${body}
</main>
<nav>${nav}</nav>
${tail}
</body>
</html>
`;
  return { html, usesWidgets: builder.usesWidgets, usesPlotly: builder.usesPlotly };
}
