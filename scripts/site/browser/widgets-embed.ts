/**
 * Browser entry of the lesson site (bundled by esbuild into _static/widgets.js): renders the widget views
 * saved in the page from the embedded widget state with @jupyter-widgets/html-manager, and draws Plotly
 * figures. Everything is served by the site itself: widget modules other than the built-in ones must have
 * registered themselves on `window.deepvizWidgetModules`, never fetched from a CDN.
 */
import "@fortawesome/fontawesome-free/css/all.min.css";
import "@fortawesome/fontawesome-free/css/v4-shims.min.css";
import "@lumino/widgets/style/index.css";
import { HTMLManager } from "@jupyter-widgets/html-manager/lib/htmlmanager"; // not the index: it loads libembed, which evals
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

/**
 * Replaces each widget-view tag whose model is in the saved state with a live view. (libembed's
 * renderWidgets does the same but compiles JSON schemas with eval at load time, which the pages'
 * Content-Security-Policy forbids.)
 */
async function renderWidgets(): Promise<void> {
  const stateTag = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
  if (!stateTag) return;
  const manager = new HTMLManager({ loader: localModule });
  const models = await manager.set_state(JSON.parse(stateTag.textContent ?? "{}"));
  for (const tag of Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'))) {
    const modelId = (JSON.parse(tag.textContent ?? "{}") as { model_id?: unknown }).model_id;
    const model = models.find((m) => m.model_id === modelId);
    if (!model || !tag.parentElement) continue;
    const area = document.createElement("div");
    area.className = "widget-subarea";
    tag.parentElement.insertBefore(area, tag);
    await manager.display_view(await manager.create_view(model), area);
  }
}

async function main(): Promise<void> {
  drawPlots();
  await renderWidgets();
  document.body.dataset.widgetsRendered = "true";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => void main());
else void main();
