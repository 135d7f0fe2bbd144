/**
 * One executed notebook → one static HTML page. Markdown becomes HTML, images stay inline as data URLs,
 * widget views become the script tags that @jupyter-widgets/html-manager replaces with live views, and the
 * notebook's saved widget state goes into the page so those views render without a kernel.
 */
import { marked } from "marked";
import { stripAnsi } from "../../kernel-ext/src/notebook-html";
import {
  escapeHtml, imageHtml, IMAGE_MIMES, isTrusted, markdownHtml, policyMeta, promptNumber, safeWidgetState, sanitizeHtml,
  scriptJson, svgHtml,
} from "../../kernel-ext/src/trust";
import {
  Notebook, NotebookCell, NotebookOutput, PLOTLY_MIME, WIDGET_STATE_MIME, WIDGET_VIEW_MIME,
} from "./notebook";

export { escapeHtml } from "../../kernel-ext/src/trust";

export interface PageLinks {
  title: string;
  /** Relative link to the index page. */
  index: string;
  prev?: { href: string; title: string };
  next?: { href: string; title: string };
  /** Sanitise every output and allow only the site's own scripts (see kernel-ext/src/trust.ts). */
  untrusted?: boolean;
}

export interface RenderedPage {
  html: string;
  /** Which site assets this page needs (so the site copies only what is used). */
  usesWidgets: boolean;
  usesPlotly: boolean;
}

function text(v: unknown): string {
  return Array.isArray(v) ? v.map(String).join("") : typeof v === "string" ? v : "";
}

class PageBuilder {
  usesWidgets = false;
  usesPlotly = false;
  private plotCount = 0;
  constructor(private readonly widgetIds: Set<string>, private readonly untrusted: boolean) {}

  cell(cell: NotebookCell): string {
    if (cell.cell_type === "markdown") return `<section class="md">${markdownHtml(text(cell.source))}</section>`;
    if (cell.cell_type !== "code") return "";
    const source = `<div class="in"><span class="prompt">[${promptNumber(cell.execution_count)}]</span><pre class="code"><code>${escapeHtml(text(cell.source))}</code></pre></div>`;
    const outputs = (Array.isArray(cell.outputs) ? cell.outputs : []).map((o) => this.output(o)).join("\n");
    return `<section class="cell">${source}${outputs ? `<div class="out">${outputs}</div>` : ""}</section>`;
  }

  private output(o: NotebookOutput): string {
    switch (o.output_type) {
      case "stream":
        return `<pre class="stream ${o.name === "stderr" ? "stderr" : "stdout"}">${escapeHtml(stripAnsi(text(o.text)))}</pre>`;
      case "error": {
        const lines = Array.isArray(o.traceback) ? o.traceback.map(text) : [`${text(o.ename)}: ${text(o.evalue)}`];
        return `<pre class="error">${escapeHtml(stripAnsi(lines.join("\n")))}</pre>`;
      }
      case "display_data":
      case "execute_result":
        if (!o.data || typeof o.data !== "object") return "";
        return this.bundle(o.data, o.metadata ?? {}, !this.untrusted && isTrusted(o));
      default:
        return "";
    }
  }

  private bundle(data: Record<string, unknown>, metadata: Record<string, unknown>, trusted: boolean): string {
    const view = data[WIDGET_VIEW_MIME] as { model_id?: string } | undefined;
    if (typeof view?.model_id === "string" && this.widgetIds.has(view.model_id)) {
      this.usesWidgets = true;
      return `<div class="widget"><script type="${WIDGET_VIEW_MIME}">${scriptJson(view)}</script></div>`;
    }
    if (data[PLOTLY_MIME]) {
      this.usesPlotly = true;
      const id = `plot-${this.plotCount++}`;
      return `<div class="plot" id="${id}"></div><script type="${PLOTLY_MIME}" data-target="${id}">${scriptJson(data[PLOTLY_MIME])}</script>`;
    }
    if (data["text/html"] !== undefined) {
      const html = text(data["text/html"]);
      return `<div class="html">${trusted ? html : sanitizeHtml(html)}</div>`;
    }
    if (data["image/svg+xml"] !== undefined) return `<div class="svg">${svgHtml(data["image/svg+xml"])}</div>`;
    for (const mime of IMAGE_MIMES) {
      if (data[mime] === undefined) continue;
      const img = imageHtml(mime, data[mime], metadata, 'class="output-image" alt="cell output"');
      if (img) return img;
    }
    if (data["text/markdown"] !== undefined) {
      const md = text(data["text/markdown"]);
      return `<div class="md">${trusted ? marked.parse(md, { async: false }) : markdownHtml(md)}</div>`;
    }
    if (data["text/plain"] !== undefined) return `<pre class="result">${escapeHtml(stripAnsi(text(data["text/plain"])))}</pre>`;
    return "";
  }
}

export function renderPage(nb: Notebook, links: PageLinks): RenderedPage {
  const state = nb.metadata.widgets?.[WIDGET_STATE_MIME];
  const builder = new PageBuilder(new Set(Object.keys(state?.state ?? {})), links.untrusted === true);
  const body = nb.cells.map((c) => builder.cell(c)).join("\n");
  const nav = [
    links.prev ? `<a class="prev" href="${escapeHtml(links.prev.href)}">← ${escapeHtml(links.prev.title)}</a>` : "",
    `<a class="home" href="${escapeHtml(links.index)}">All lessons</a>`,
    links.next ? `<a class="next" href="${escapeHtml(links.next.href)}">${escapeHtml(links.next.title)} →</a>` : "",
  ].join("");
  const head = [
    `<link rel="stylesheet" href="_static/site.css">`,
    builder.usesWidgets ? `<link rel="stylesheet" href="_static/widgets.css">` : "",
    builder.usesPlotly ? `<script src="_static/plotly.js"></script>` : "",
  ].join("\n");
  const tail = [
    builder.usesWidgets ? `<script type="${WIDGET_STATE_MIME}">${scriptJson(safeWidgetState(state))}</script>` : "",
    builder.usesWidgets || builder.usesPlotly ? `<script src="_static/widgets.js"></script>` : "",
  ].join("\n");
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
${links.untrusted ? policyMeta() + "\n" : ""}<meta name="viewport" content="width=device-width, initial-scale=1">
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
