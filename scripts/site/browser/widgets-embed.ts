/**
 * Browser entry of the lesson site (bundled by esbuild into _static/widgets.js): renders the widget views
 * saved in the page from the embedded widget state with @jupyter-widgets/html-manager, and draws Plotly
 * figures. Everything is served by the site itself: widget modules other than the built-in ones must have
 * registered themselves on `window.deepvizWidgetModules`, never fetched from a CDN.
 */
import { HTMLManager } from "@jupyter-widgets/html-manager";
import { renderWidgets } from "@jupyter-widgets/html-manager/lib/libembed";
import * as kitViews from "deepviz-site-views";

declare global {
  interface Window {
    deepvizWidgetModules?: Record<string, unknown>;
    Plotly?: { newPlot(el: HTMLElement, data: unknown, layout?: unknown, config?: unknown): Promise<unknown> };
  }
}

// The widget kit's views (heatmap, feature grid, scatter) travel inside this bundle.
if (kitViews.MODULE_NAME) window.deepvizWidgetModules = { ...window.deepvizWidgetModules, [kitViews.MODULE_NAME]: kitViews };

async function localModule(name: string, version: string): Promise<unknown> {
  const found = window.deepvizWidgetModules?.[name];
  if (found) return found;
  throw new Error(`widget module ${name}@${version} is not part of this site (no CDN is used)`);
}

function drawPlots(): void {
  for (const tag of Array.from(document.querySelectorAll<HTMLScriptElement>('script[type="application/vnd.plotly.v1+json"]'))) {
    const target = document.getElementById(tag.dataset.target ?? "");
    if (!target || !window.Plotly) continue;
    const fig = JSON.parse(tag.textContent ?? "{}") as { data?: unknown; layout?: unknown; config?: unknown };
    void window.Plotly.newPlot(target, fig.data ?? [], fig.layout ?? {}, { displaylogo: false, ...(fig.config as object) });
  }
}

async function main(): Promise<void> {
  drawPlots();
  await renderWidgets(() => new HTMLManager({ loader: localModule }));
  document.body.dataset.widgetsRendered = "true";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => void main());
else void main();
