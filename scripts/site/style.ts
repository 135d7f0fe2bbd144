/** The site's stylesheet (kept in TypeScript so the build needs no asset copying). */
export const SITE_CSS = `
:root { --fg: #1d232b; --muted: #5b6672; --line: #e2e6ea; --code-bg: #f6f8fa; --accent: #2b6cb0; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg); background: #fff; }
main { max-width: 980px; margin: 0 auto; padding: 8px 24px 48px; }
nav { display: flex; justify-content: space-between; gap: 12px; max-width: 980px; margin: 0 auto; padding: 12px 24px; border-bottom: 1px solid var(--line); }
nav:last-of-type { border-bottom: 0; border-top: 1px solid var(--line); }
nav a { color: var(--accent); text-decoration: none; }
nav .home { margin: 0 auto; }
h1, h2, h3 { line-height: 1.25; }
h1 { font-size: 2em; margin-top: 0.6em; }
a { color: var(--accent); }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
.md code { background: var(--code-bg); padding: 1px 4px; border-radius: 3px; }
.md blockquote { margin: 1em 0; padding: 0.2em 1em; border-left: 4px solid #9ec1e6; background: #f4f8fc; }
.md table { border-collapse: collapse; } .md th, .md td { border: 1px solid var(--line); padding: 4px 8px; }
.cell { margin: 14px 0; }
.in { display: flex; min-width: 0; gap: 8px; align-items: flex-start; }
.prompt { color: var(--muted); font: 12px/2 monospace; min-width: 3.2em; text-align: right; }
pre { margin: 0; overflow-x: auto; }
pre.code { flex: 1; min-width: 0; background: var(--code-bg); border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; }
.out { margin: 6px 0 0 3.7em; display: flex; flex-direction: column; gap: 6px; align-items: flex-start; min-width: 0; }
.out > * { max-width: 100%; }
pre.stream, pre.result { padding: 4px 2px; font-size: 0.85em; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.stderr { background: #fff5e6; }
pre.error { background: #fdecec; color: #8a1f1f; padding: 8px; border-radius: 4px; width: 100%; }
img.output-image { max-width: 100%; image-rendering: pixelated; }
.lessons { list-style: none; padding: 0; }
.lessons li { border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 12px 0; }
.lessons .status { color: var(--muted); font-size: 0.85em; }
.lessons .failed { color: #8a1f1f; }
`;
