/**
 * The trust model of every page the project writes (runner pages, the lesson site, grading feedback),
 * after JupyterLab's: markdown is always sanitised; an output is trusted only when the run that writes
 * the page produced it (a stale output read from a file is sanitised); an untrusted page sanitises every
 * output and carries a Content-Security-Policy that lets only the page's own renderers run. Every field
 * that goes into markup is escaped or validated here, and JSON inside <script> cannot end the element.
 */
import { createHash } from "crypto";
import { marked } from "marked";
import sanitize from "sanitize-html";
import { escapeHtml, isPlainPath } from "./comm-api";

/** Marks an output object as produced by this process's run (never serialised: a re-read file is untrusted). */
const TRUSTED = Symbol.for("deepviz.output.trusted");

export function markTrusted<T extends object>(output: T): T {
  Object.defineProperty(output, TRUSTED, { value: true, enumerable: false, configurable: true });
  return output;
}

export function isTrusted(output: unknown): boolean {
  return typeof output === "object" && output !== null && (output as Record<symbol, unknown>)[TRUSTED] === true;
}

export { escapeHtml };

// CSS values that cannot fetch anything: words, numbers, colours (no url(), no escapes).
const PLAIN_CSS = [/^[-#%.,\w\s]+$/, /^rgba?\([\d\s.,%]+\)$/];
const SAFE_CSS = Object.fromEntries(
  [
    "color",
    "background-color",
    "text-align",
    "font-weight",
    "font-style",
    "text-decoration",
    "width",
    "height",
    "max-width",
    "vertical-align",
  ].map((p) => [p, PLAIN_CSS]),
);

const SANITIZE: sanitize.IOptions = {
  allowedTags: [
    ...sanitize.defaults.allowedTags.filter((t) => t !== "style"),
    "img",
    "del",
    "ins",
    "details",
    "summary",
    "input",
    "center",
    "font",
  ],
  allowedAttributes: {
    "*": ["title", "align", "lang", "dir"],
    a: ["href", "rel"],
    img: ["src", "alt", "width", "height"],
    td: ["colspan", "rowspan", "style"],
    th: ["colspan", "rowspan", "style"],
    span: ["style"],
    div: ["style"],
    p: ["style"],
    ol: ["start", "type"],
    code: ["class"],
    input: ["type", "checked", "disabled"],
    font: ["color"],
  },
  allowedClasses: { code: ["language-*"] },
  allowedStyles: { "*": SAFE_CSS },
  // Links may leave the page only when clicked; images only come from inside it.
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["data"] },
  allowProtocolRelative: false,
  allowedSchemesAppliedToAttributes: ["href", "src", "cite"],
  // A markdown task-list checkbox is the only input kept, and it cannot be used.
  exclusiveFilter: (frame) =>
    (frame.tag === "input" && frame.attribs.type !== "checkbox") ||
    (frame.tag === "img" && !/^data:image\/(png|jpeg|gif|webp|svg\+xml)[;,]/i.test(frame.attribs.src ?? "")),
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: "noopener noreferrer" } }),
    input: (tagName, attribs) => ({ tagName, attribs: { ...attribs, disabled: "" } }),
  },
};

/** HTML with everything that can run or fetch removed (scripts, handlers, javascript: URLs, iframes, forms, remote images). */
export function sanitizeHtml(html: string): string {
  return sanitize(html, SANITIZE);
}

/** Markdown rendered and sanitised (notebook markdown is never trusted, as in JupyterLab). */
export function markdownHtml(markdown: string, inline = false): string {
  const html = inline ? marked.parseInline(markdown, { async: false }) : marked.parse(markdown, { async: false });
  return sanitizeHtml(html as string);
}

/**
 * JSON for a <script type="application/..."> element: `<` `>` `&` and the line separators are written as
 * \u escapes, so no string in it can end the element (`</script>`) or switch the parser into its
 * comment-like states (`<!--`), and the text stays valid JSON.
 */
export function scriptJson(value: unknown): string {
  return (JSON.stringify(value) ?? "null").replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The prompt number of a code cell: a non-negative integer, else blank. */
export function promptNumber(count: unknown): string {
  return Number.isSafeInteger(count) && (count as number) >= 0 ? String(count) : " ";
}

export const IMAGE_MIMES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function text(v: unknown): string {
  return Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "";
}

/** A pixel size from output metadata: a positive finite number, else none. */
function pixels(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) && v > 0 && v < 1e5 ? v : undefined;
}

/**
 * An <img> for a raster output: the MIME type is one of IMAGE_MIMES, the data is base64 and the
 * width/height metadata are numbers; undefined when any of them is not.
 */
export function imageHtml(mime: string, data: unknown, metadata: unknown, attrs = 'alt=""'): string | undefined {
  if (!(IMAGE_MIMES as readonly string[]).includes(mime)) return undefined;
  const b64 = text(data).replace(/\s+/g, "");
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) return undefined;
  const meta = (metadata && typeof metadata === "object" ? (metadata as Record<string, unknown>)[mime] : undefined) as
    Record<string, unknown> | undefined;
  const w = pixels(meta?.width);
  const h = pixels(meta?.height);
  return `<img ${attrs} src="data:${mime};base64,${b64}"${w ? ` width="${w}"` : ""}${h ? ` height="${h}"` : ""}>`;
}

/** SVG always as an image, as JupyterLab shows it: whatever it holds cannot run inside an <img>. */
export function svgHtml(data: unknown): string {
  return `<img alt="" src="data:image/svg+xml;base64,${Buffer.from(text(data), "utf8").toString("base64")}">`;
}

/** Widget state fit to embed: buffers only at plain own keys and with base64 data (the rest dropped). */
export function safeWidgetState<T>(state: T): T {
  const s = state as { state?: Record<string, { buffers?: { path?: unknown; data?: unknown }[] }> };
  if (!s || typeof s !== "object" || !s.state || typeof s.state !== "object") return state;
  const models: Record<string, unknown> = {};
  for (const [id, model] of Object.entries(s.state)) {
    if (!model || typeof model !== "object") continue;
    const buffers = Array.isArray(model.buffers)
      ? model.buffers.filter((b) => isPlainPath(b?.path) && typeof b.data === "string" && BASE64.test(b.data))
      : undefined;
    models[id] = buffers ? { ...model, buffers } : model;
  }
  return { ...s, state: models } as T;
}

export interface PolicyOptions {
  /** Inline scripts the page itself writes (their hashes are allowed). */
  inlineScripts?: string[];
}

/**
 * The Content-Security-Policy of an untrusted page: scripts only from the page's own files and the
 * inline scripts it names; nothing fetched from elsewhere, no inline handlers, no javascript: URLs,
 * no frames, forms or plugins.
 */
export function contentSecurityPolicy(options: PolicyOptions = {}): string {
  const hashes = (options.inlineScripts ?? []).map((s) => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`);
  return [
    "default-src 'none'",
    `script-src 'self' ${hashes.join(" ")}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/** The <meta> element for the policy (put first in <head>). */
export function policyMeta(options: PolicyOptions = {}): string {
  return `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(options))}">`;
}
