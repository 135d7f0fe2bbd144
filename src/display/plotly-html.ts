import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * plotly.js for HTML outputs, with no network: the library comes from the plotly.js-dist package and is
 * inlined into the first plot's HTML that this process (one kernel) sends; later plots reuse the
 * window.Plotly it defines. Minified once with esbuild when it is installed, and cached on disk.
 */

let sentToPage = false;
let libraryCache: string | null = null;

function plotlyVersion(): string {
  return (require("plotly.js-dist/package.json") as { version: string }).version;
}

/** The plotly.js source, safe to put inside a <script> element. */
export function plotlyLibrary(): string {
  if (libraryCache) return libraryCache;
  const file = require.resolve("plotly.js-dist");
  const cached = path.join(os.tmpdir(), `deepviz-plotly-${plotlyVersion()}.min.js`);
  let code: string;
  if (fs.existsSync(cached)) code = fs.readFileSync(cached, "utf8");
  else {
    code = fs.readFileSync(file, "utf8");
    try {
      // esbuild is a dev tool: when it is missing, the unminified library works the same
      const esbuild = require("esbuild") as typeof import("esbuild");
      code = esbuild.transformSync(code, { minify: true, legalComments: "inline" }).code;
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached);
    } catch {
      // keep the unminified source
    }
  }
  libraryCache = code.replace(/<\/script/gi, "<\\/script");
  return libraryCache;
}

/** Forget that the library was sent (after the page was reloaded or its outputs were cleared). */
export function resetPlotlyLoader(): void {
  sentToPage = false;
}

export function plotlyLoaded(): boolean {
  return sentToPage;
}

function jsonForScript(x: unknown): string {
  return JSON.stringify(x).replace(/</g, "\\u003c");
}

/**
 * HTML that draws one figure. `standalone` always inlines the library (a saved file); otherwise it is
 * inlined only the first time in this process.
 */
export function plotlyHtml(figure: { data: unknown[]; layout: Record<string, unknown> }, standalone = false): string {
  const id = "dv-plot-" + crypto.randomBytes(6).toString("hex");
  const height = Number(figure.layout.height ?? 420);
  const withLibrary = standalone || !sentToPage;
  if (!standalone) sentToPage = true;
  const library = withLibrary ? `<script type="text/javascript">if (!window.Plotly) {\n${plotlyLibrary()}\n}</script>\n` : "";
  const missing =
    "plotly.js is not loaded on this page (the output that carried it was cleared). " +
    "Run dv.plots.resetPlotlyLoader() and show the plot again.";
  return `<div id="${id}" class="deepviz-plot" style="width:100%;height:${height}px;"></div>
${library}<script type="text/javascript">
(function () {
  var el = document.getElementById(${JSON.stringify(id)});
  if (!window.Plotly) { el.textContent = ${JSON.stringify(missing)}; return; }
  window.Plotly.newPlot(el, ${jsonForScript(figure.data)}, ${jsonForScript(figure.layout)}, {responsive: true, displaylogo: false});
})();
</script>`;
}
