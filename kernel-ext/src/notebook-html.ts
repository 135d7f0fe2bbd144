/**
 * A self-contained HTML page of an executed notebook: markdown, code, outputs (richest MIME type first),
 * and the saved widget state in the tags @jupyter-widgets/html-manager's embedder reads. What may run on
 * the page follows trust.ts: markdown is sanitised, outputs this run produced are trusted, others are not.
 */
import { marked } from "marked";
import { WIDGET_VIEW_MIME } from "./comm-api";
import { cellSource, type Notebook, type Output } from "./notebook";
import {
  escapeHtml,
  imageHtml,
  IMAGE_MIMES,
  isTrusted,
  markdownHtml,
  policyMeta,
  promptNumber,
  safeWidgetState,
  sanitizeHtml,
  scriptJson,
  svgHtml,
} from "./trust";
import { WIDGET_STATE_MIME } from "./widget-state";

export { WIDGET_VIEW_MIME };

export interface HtmlOptions {
  title?: string;
  /**
   * Sanitise every output, not only markdown and stale ones, and add a Content-Security-Policy that lets
   * only the page's own scripts run (`deepviz run --untrusted`, grading feedback).
   */
  untrusted?: boolean;
  /** Inline scripts the caller puts in `head`/`bodyEnd` that must run on an untrusted page (allowed by hash). */
  inlineScripts?: string[];
  /** Extra HTML for <head> (scripts that render widgets or plots offline). The caller's own markup: escape what you put in it. */
  head?: string;
  /** Extra HTML at the start of <body> (e.g. a grading summary). The caller's own markup: escape what you put in it. */
  bodyStart?: string;
  /** Extra HTML at the end of <body>. */
  bodyEnd?: string;
  /**
   * Renderers for MIME types, tried before the built-in ones, in the order given; return undefined to
   * pass. E.g. plotly JSON → a div plus a Plotly.newPlot script. `trusted` says whether the output may
   * carry markup that runs; a renderer must escape what it interpolates either way.
   */
  renderers?: Record<string, (data: unknown, metadata: Record<string, unknown>, trusted: boolean) => string | undefined>;
}

/** Terminal colour codes have no place in HTML. */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex -- ANSI escape sequences begin with ESC (\u001b)
  return s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
}

function asText(v: unknown): string {
  return Array.isArray(v) ? v.map(String).join("") : typeof v === "string" ? v : (JSON.stringify(v) ?? "");
}

type Render = (data: unknown, metadata: Record<string, unknown>, trusted: boolean) => string | undefined;

const BUILTIN: [string, Render][] = [
  [WIDGET_VIEW_MIME, (d) => `<script type="${WIDGET_VIEW_MIME}">${scriptJson(d)}</script>`],
  ["text/html", (d, _m, trusted) => (trusted ? asText(d) : sanitizeHtml(asText(d)))],
  ["image/svg+xml", (d) => svgHtml(d)],
  ...IMAGE_MIMES.map((mime): [string, Render] => [mime, (d, m) => imageHtml(mime, d, m)]),
  [
    "text/markdown",
    (d, _m, trusted) => (trusted ? (marked.parse(asText(d), { async: false }) as string) : markdownHtml(asText(d))),
  ],
  ["application/json", (d) => `<pre>${escapeHtml(JSON.stringify(d, null, 2) ?? "")}</pre>`],
  ["text/plain", (d) => `<pre>${escapeHtml(stripAnsi(asText(d)))}</pre>`],
];

function renderBundle(
  data: Record<string, unknown>,
  metadata: Record<string, unknown>,
  trusted: boolean,
  options: HtmlOptions,
): string {
  if (!data || typeof data !== "object") return "";
  const has = (mime: string) => Object.prototype.hasOwnProperty.call(data, mime);
  for (const [mime, render] of [...Object.entries(options.renderers ?? {}), ...BUILTIN]) {
    if (!has(mime)) continue;
    const html = render(data[mime], metadata ?? {}, trusted);
    if (html === undefined) continue; // e.g. image data that is not base64: try the next type
    // A widget view falls back to its text when the page cannot render widgets; keep both.
    if (mime === WIDGET_VIEW_MIME && has("text/plain")) {
      return html + `<noscript><pre>${escapeHtml(asText(data["text/plain"]))}</pre></noscript>`;
    }
    return html;
  }
  return `<pre class="dv-unknown">[${escapeHtml(Object.keys(data).join(", "))}]</pre>`;
}

function renderOutput(out: Output, options: HtmlOptions): string {
  switch (out.output_type) {
    case "stream":
      return `<pre class="dv-stream dv-${out.name === "stderr" ? "stderr" : "stdout"}">${escapeHtml(stripAnsi(asText(out.text)))}</pre>`;
    case "error": {
      const lines = [
        `${asText(out.ename)}: ${asText(out.evalue)}`,
        ...(Array.isArray(out.traceback) ? out.traceback.map(asText) : []),
      ];
      return `<pre class="dv-error">${escapeHtml(stripAnsi(lines.join("\n")))}</pre>`;
    }
    case "display_data":
    case "execute_result":
      return `<div class="dv-rich">${renderBundle(out.data, out.metadata, !options.untrusted && isTrusted(out), options)}</div>`;
    default:
      return "";
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
      parts.push(`<div class="dv-cell dv-markdown">${markdownHtml(source)}</div>`);
    } else if (cell.cell_type === "code") {
      const prompt = `[${promptNumber(cell.execution_count)}]`;
      const outputs = (Array.isArray(cell.outputs) ? cell.outputs : []).map((o) => renderOutput(o, options)).join("\n");
      parts.push(
        `<div class="dv-cell"><div class="dv-code"><span class="dv-prompt">${prompt}</span><pre><code>${escapeHtml(source)}</code></pre></div>` +
          (outputs ? `<div class="dv-outputs">${outputs}</div>` : "") +
          `</div>`,
      );
    }
  }
  const widgetState = nb.metadata?.widgets?.[WIDGET_STATE_MIME];
  // Saved widget state cannot be sanitised (a widget may set innerHTML): state this run did not produce
  // gets the policy too, so its markup cannot run scripts.
  const strict = options.untrusted === true || (widgetState !== undefined && !isTrusted(widgetState));
  const stateTag = widgetState
    ? `<script type="${WIDGET_STATE_MIME}">${scriptJson(safeWidgetState(widgetState))}</script>\n`
    : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
${strict ? policyMeta({ inlineScripts: options.inlineScripts }) + "\n" : ""}<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${options.head ?? ""}
</head>
<body>
${options.bodyStart ?? ""}
${stateTag}${parts.join("\n")}
${options.bodyEnd ?? ""}
</body>
</html>
`;
}
