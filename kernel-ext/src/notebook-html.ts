/**
 * A self-contained HTML page of an executed notebook: markdown, code, outputs (richest MIME type first),
 * and the saved widget state in the tags @jupyter-widgets/html-manager's embedder reads.
 */
import { marked } from "marked";
import { escapeHtml, WIDGET_VIEW_MIME } from "./comm-api";
import { cellSource, type Notebook, type Output } from "./notebook";
import { WIDGET_STATE_MIME } from "./widget-state";

export { WIDGET_VIEW_MIME };

export interface HtmlOptions {
  title?: string;
  /** Extra HTML for <head> (scripts that render widgets or plots offline). */
  head?: string;
  /** Extra HTML at the end of <body>. */
  bodyEnd?: string;
  /**
   * Renderers for MIME types, tried before the built-in ones, in the order given; return undefined to
   * pass. E.g. plotly JSON → a div plus a Plotly.newPlot script.
   */
  renderers?: Record<string, (data: unknown, metadata: Record<string, unknown>) => string | undefined>;
}


/** Terminal colour codes have no place in HTML. */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex -- ANSI escape sequences begin with ESC (\u001b)
  return s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
}

function asText(v: unknown): string {
  return Array.isArray(v) ? v.join("") : typeof v === "string" ? v : JSON.stringify(v);
}

function scriptJson(value: unknown): string {
  // Inside <script>, only "</" can end the element early.
  return JSON.stringify(value).replace(/<\//g, "<\\/");
}

const BUILTIN: [string, (data: unknown) => string][] = [
  [WIDGET_VIEW_MIME, (d) => `<script type="${WIDGET_VIEW_MIME}">${scriptJson(d)}</script>`],
  ["text/html", (d) => asText(d)],
  ["image/svg+xml", (d) => asText(d)],
  ["image/png", (d) => `<img alt="" src="data:image/png;base64,${asText(d).replace(/\s/g, "")}">`],
  ["image/jpeg", (d) => `<img alt="" src="data:image/jpeg;base64,${asText(d).replace(/\s/g, "")}">`],
  ["image/gif", (d) => `<img alt="" src="data:image/gif;base64,${asText(d).replace(/\s/g, "")}">`],
  ["text/markdown", (d) => marked.parse(asText(d), { async: false }) as string],
  ["application/json", (d) => `<pre>${escapeHtml(JSON.stringify(d, null, 2))}</pre>`],
  ["text/plain", (d) => `<pre>${escapeHtml(stripAnsi(asText(d)))}</pre>`],
];

function renderBundle(data: Record<string, unknown>, metadata: Record<string, unknown>, options: HtmlOptions): string {
  for (const [mime, render] of Object.entries(options.renderers ?? {})) {
    if (mime in data) {
      const html = render(data[mime], metadata);
      if (html !== undefined) return html;
    }
  }
  for (const [mime, render] of BUILTIN) {
    if (mime in data) {
      // A widget view falls back to its text when the page cannot render widgets; keep both.
      if (mime === WIDGET_VIEW_MIME && "text/plain" in data) {
        return render(data[mime]) + `<noscript><pre>${escapeHtml(asText(data["text/plain"]))}</pre></noscript>`;
      }
      return render(data[mime]);
    }
  }
  return `<pre class="dv-unknown">[${escapeHtml(Object.keys(data).join(", "))}]</pre>`;
}

function renderOutput(out: Output, options: HtmlOptions): string {
  switch (out.output_type) {
    case "stream":
      return `<pre class="dv-stream dv-${escapeHtml(out.name)}">${escapeHtml(stripAnsi(out.text))}</pre>`;
    case "error":
      return `<pre class="dv-error">${escapeHtml(stripAnsi([`${out.ename}: ${out.evalue}`, ...out.traceback].join("\n")))}</pre>`;
    default:
      return `<div class="dv-rich">${renderBundle(out.data, out.metadata, options)}</div>`;
  }
}

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
.dv-cell { margin: 1rem 0; }
.dv-code { display: flex; gap: .5rem; }
.dv-prompt { color: #307fc1; font-family: monospace; min-width: 4rem; text-align: right; }
.dv-code pre { flex: 1; background: #f5f5f5; border: 1px solid #e0e0e0; padding: .5rem; margin: 0; overflow-x: auto; }
.dv-outputs { margin-left: 4.5rem; }
.dv-outputs pre { margin: .25rem 0; white-space: pre-wrap; }
.dv-stderr { background: #fdd; }
.dv-error { background: #fdd; color: #900; padding: .5rem; }
.dv-rich img { max-width: 100%; }
`;

export function notebookToHtml(nb: Notebook, options: HtmlOptions = {}): string {
  const title = options.title ?? "Notebook";
  const parts: string[] = [];
  for (const cell of nb.cells) {
    const source = cellSource(cell);
    if (cell.cell_type === "markdown") {
      parts.push(`<div class="dv-cell dv-markdown">${marked.parse(source, { async: false }) as string}</div>`);
    } else if (cell.cell_type === "code") {
      const prompt = cell.execution_count ? `[${cell.execution_count}]` : "[ ]";
      const outputs = (cell.outputs ?? []).map((o) => renderOutput(o, options)).join("\n");
      parts.push(
        `<div class="dv-cell"><div class="dv-code"><span class="dv-prompt">${prompt}</span><pre><code>${escapeHtml(source)}</code></pre></div>` +
          (outputs ? `<div class="dv-outputs">${outputs}</div>` : "") +
          `</div>`,
      );
    }
  }
  const widgetState = nb.metadata?.widgets?.[WIDGET_STATE_MIME];
  const stateTag = widgetState ? `<script type="${WIDGET_STATE_MIME}">${scriptJson(widgetState)}</script>\n` : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${options.head ?? ""}
</head>
<body>
${stateTag}${parts.join("\n")}
${options.bodyEnd ?? ""}
</body>
</html>
`;
}
