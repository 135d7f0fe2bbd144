/**
 * Writes the lesson site: an index, one page per executed notebook, and the assets those pages use
 * (stylesheet, the widget renderer bundled from @jupyter-widgets/html-manager, Plotly). Nothing on a page
 * points outside the site folder, so it works offline from file:// or any static server.
 */
import * as fs from "fs";
import * as path from "path";
import type { Plugin } from "esbuild";
import { markdownHtml } from "../../kernel-ext/src/trust";
import { joinSource, Notebook, notebookErrors, notebookTitle } from "./notebook";
import { escapeHtml } from "../../kernel-ext/src/comm-api";
import { renderPage } from "./page";
import { SITE_CSS } from "./style";

export interface SiteLesson {
  /** The notebook's file name, e.g. "01-weights-and-feature-maps.ipynb" (gives the page name). */
  file: string;
  /** The executed notebook. */
  notebook: Notebook;
  /** Seconds the run took (shown on the index). */
  seconds?: number;
}

export interface SiteResult {
  outDir: string;
  pages: { file: string; page: string; title: string }[];
}

/** The repository root: the nearest folder above `from` whose package.json is this package. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    const pj = path.join(dir, "package.json");
    if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, "utf8")).name === "deepviz") return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no deepviz package.json above ${from}`);
    dir = up;
  }
}

export function pageName(file: string): string {
  return path.basename(file).replace(/\.ipynb$/, "") + ".html";
}

// The first paragraph of the first Markdown cell after its heading: the lesson's summary on the index.
function summary(nb: Notebook): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const para = joinSource(cell.source).split(/\n\s*\n/).find((p) => p.trim() && !/^\s*#/.test(p));
    // a paragraph that introduces a list ends in a colon; on the index it stands alone
    if (para) return markdownHtml(para.trim().replace(/:$/, "."), true);
  }
  return "";
}

/** Resolves "deepviz-site-views" to the widget kit's browser views, or to an empty module without them. */
function kitViewsPlugin(root: string): Plugin {
  const views = path.join(root, "widgets", "frontend", "src", "index.ts");
  return {
    name: "deepviz-site-views",
    setup(build) {
      build.onResolve({ filter: /^deepviz-site-views$/ }, () =>
        fs.existsSync(views) ? { path: views } : { path: "none", namespace: "deepviz-site-views" });
      build.onLoad({ filter: /.*/, namespace: "deepviz-site-views" }, () => ({ contents: "export const MODULE_NAME = undefined;", loader: "js" }));
    },
  };
}

/** Bundles the widget renderer (browser code) into `staticDir` as widgets.js + widgets.css + fonts. */
export async function bundleWidgetRenderer(staticDir: string): Promise<void> {
  const esbuild = await import("esbuild");
  const root = repoRoot();
  const fontLoaders = Object.fromEntries([".woff", ".woff2", ".ttf", ".eot", ".svg"].map((e) => [e, "file" as const]));
  await esbuild.build({
    entryPoints: [path.join(root, "scripts", "site", "browser", "widgets-embed.ts")],
    absWorkingDir: root,
    bundle: true,
    format: "iife",
    minify: true,
    outfile: path.join(staticDir, "widgets.js"),
    loader: { ...fontLoaders, ".png": "dataurl", ".gif": "dataurl" },
    // libembed assigns webpack's public path at load time; declare it so the assignment is harmless.
    banner: { js: "var __webpack_public_path__ = '';" },
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "error",
    plugins: [kitViewsPlugin(root)],
  });
}

/**
 * `untrusted`: sanitise every output of every page and allow only the site's own scripts (notebooks not
 * run by this process are sanitised anyway, see kernel-ext/src/trust.ts).
 */
export async function buildSite(lessons: SiteLesson[], outDir: string, log: (line: string) => void = () => {}, options: { untrusted?: boolean } = {}): Promise<SiteResult> {
  const staticDir = path.join(outDir, "_static");
  fs.mkdirSync(staticDir, { recursive: true });
  fs.writeFileSync(path.join(staticDir, "site.css"), SITE_CSS);

  const sorted = [...lessons].sort((a, b) => a.file.localeCompare(b.file));
  const titles = sorted.map((l) => notebookTitle(l.notebook, path.basename(l.file, ".ipynb")));
  const result: SiteResult = { outDir, pages: [] };
  let widgets = false;
  let plotly = false;
  sorted.forEach((lesson, i) => {
    const page = pageName(lesson.file);
    const link = (j: number) => (j >= 0 && j < sorted.length ? { href: pageName(sorted[j].file), title: titles[j] } : undefined);
    const rendered = renderPage(lesson.notebook, { title: titles[i], index: "index.html", prev: link(i - 1), next: link(i + 1), untrusted: options.untrusted });
    fs.writeFileSync(path.join(outDir, page), rendered.html);
    widgets ||= rendered.usesWidgets;
    plotly ||= rendered.usesPlotly;
    result.pages.push({ file: lesson.file, page, title: titles[i] });
    log(`page ${page}`);
  });

  const items = sorted.map((lesson, i) => {
    const errors = notebookErrors(lesson.notebook);
    const status = errors.length ? `<span class="failed">${errors.length} cell error(s)</span>` : "ran without errors";
    const secs = lesson.seconds !== undefined ? ` in ${lesson.seconds.toFixed(0)} s` : "";
    return `<li><a href="${pageName(lesson.file)}"><strong>${escapeHtml(titles[i])}</strong></a><p>${summary(lesson.notebook)}</p><div class="status">${escapeHtml(lesson.file)} · ${status}${secs}</div></li>`;
  });
  fs.writeFileSync(path.join(outDir, "index.html"), `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>DeepViz.ts lessons</title>
<link rel="stylesheet" href="_static/site.css">
</head>
<body>
<main>
<h1>DeepViz.ts lessons</h1>
<p>Seeing inside convolutional networks: every lesson below was executed by <code>npm start</code> on this machine, and its
pictures and widgets are the real outputs. Open the notebooks in <code>notebooks/</code> with <code>npm run lab</code> to change the code
and move the sliders live.</p>
<ul class="lessons">
${items.join("\n")}
</ul>
</main>
</body>
</html>
`);

  if (widgets || plotly) {
    log("bundling the widget renderer (@jupyter-widgets/html-manager)");
    await bundleWidgetRenderer(staticDir);
  }
  if (plotly) fs.copyFileSync(require.resolve("plotly.js-dist/plotly.js"), path.join(staticDir, "plotly.js"));
  return result;
}
