import { createCanvas, ImageData } from "@napi-rs/canvas";
import { Embedding, Thumbnails } from "./embedding";
import { embeddingTitle, groupByLabel } from "./palette";
import { plotlyLibrary, plotlyLoaded } from "../display/plotly-html";
import { embeddingPng } from "./plot-png";

/** A plotly figure ({ data, layout }) as plain JSON. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/**
 * The plotly scatter of an embedding: one trace per label (its colour and legend entry), `customdata`
 * holding each point's index so hover handlers can find its thumbnail. 3-D embeddings use scatter3d.
 */
export function embeddingFigure(e: Embedding): PlotlyFigure {
  const data = groupByLabel(e).map((g) => {
    const axis = (t: number) => g.indices.map((i) => e.coords[i * e.dims + t]);
    const trace: Record<string, unknown> = {
      type: e.dims === 3 ? "scatter3d" : "scatter",
      mode: "markers",
      name: g.name,
      x: axis(0),
      y: axis(1),
      customdata: g.indices,
      text: g.indices.map(() => g.name),
      hovertemplate: "%{text} · point %{customdata}<extra></extra>",
      marker: { color: g.colour, size: e.dims === 3 ? 3 : 6, opacity: 0.85 },
    };
    if (e.dims === 3) trace.z = axis(2);
    return trace;
  });
  const layout: Record<string, unknown> = {
    title: { text: embeddingTitle(e) },
    hovermode: "closest",
    width: 720,
    height: 540,
    legend: { itemsizing: "constant" },
    margin: { l: 40, r: 20, t: 50, b: 40 },
  };
  if (e.dims === 2) {
    layout.xaxis = { zeroline: false, showticklabels: false };
    layout.yaxis = { zeroline: false, showticklabels: false, scaleanchor: "x" };
  }
  return { data, layout };
}

/** Each thumbnail as a data-URI PNG. */
export function thumbnailDataUris(t: Thumbnails): string[] {
  const canvas = createCanvas(t.width, t.height);
  const ctx = canvas.getContext("2d");
  const size = t.width * t.height * 4;
  const uris: string[] = [];
  for (let i = 0; i < t.n; i++) {
    ctx.putImageData(new ImageData(t.rgba.slice(i * size, (i + 1) * size), t.width, t.height), 0, 0);
    uris.push("data:image/png;base64," + canvas.toBuffer("image/png").toString("base64"));
  }
  return uris;
}

let counter = 0;
let librarySentHere = false;

export interface EmbeddingHtmlOptions {
  /**
   * Whether to inline plotly.js (from the plotly.js-dist package; no network): "auto" (default) once per
   * process unless the display module already sent it, "always" (files saved on their own), "never".
   */
  library?: "auto" | "always" | "never";
  /** The PNG fallback, when already drawn. */
  png?: Buffer;
}

function libraryScript(mode: "auto" | "always" | "never"): string {
  if (mode === "never") return "";
  if (mode === "auto") {
    if (plotlyLoaded() || librarySentHere) return "";
    librarySentHere = true;
  }
  return `<script type="text/javascript">if (!window.Plotly) {\n${plotlyLibrary()}\n}</script>\n`;
}

/**
 * HTML for notebooks and files: the PNG scatter first, replaced by the interactive plotly plot when
 * Plotly is on the page (inlined here the first time, or window.Plotly / require.js's "plotly");
 * hovering a point then shows its thumbnail and label beside the cursor.
 */
export function embeddingHtml(e: Embedding, options: EmbeddingHtmlOptions = {}): string {
  const png = options.png ?? embeddingPng(e);
  const id = `deepviz-embedding-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  const figure = embeddingFigure(e);
  const thumbs = e.thumbnails ? thumbnailDataUris(e.thumbnails) : [];
  const labels = e.labels ? e.labels.map(String) : [];
  const json = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c");
  return `<div id="${id}" class="deepviz-embedding" style="position:relative;display:inline-block">
<img src="data:image/png;base64,${png.toString("base64")}" alt="${embeddingTitle(e).replace(/"/g, "&quot;")}"/>
</div>
${libraryScript(options.library ?? "auto")}<script>
(function () {
  var el = document.getElementById(${json(id)});
  var fig = ${json(figure)};
  var thumbs = ${json(thumbs)};
  var labels = ${json(labels)};
  function draw(Plotly) {
    el.innerHTML = "";
    var plot = document.createElement("div");
    el.appendChild(plot);
    var tip = document.createElement("div");
    tip.className = "deepviz-embedding-tip";
    tip.style.cssText = "position:absolute;display:none;pointer-events:none;background:#fff;border:1px solid #888;padding:4px;font:12px sans-serif;z-index:10;text-align:center";
    el.appendChild(tip);
    Plotly.newPlot(plot, fig.data, fig.layout, { displaylogo: false }).then(function () {
      plot.on("plotly_hover", function (ev) {
        var p = ev.points[0];
        var i = p.customdata;
        var label = labels.length ? labels[i] : "point " + i;
        tip.innerHTML = (thumbs[i] ? '<img src="' + thumbs[i] + '" style="width:64px;height:64px;image-rendering:pixelated;display:block;margin:auto"/>' : "") +
          '<div class="deepviz-embedding-label">' + String(label).replace(/[&<>]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;" }[c]; }) + "</div>";
        var box = el.getBoundingClientRect();
        var x = ev.event && ev.event.clientX !== undefined ? ev.event.clientX - box.left : 10;
        var y = ev.event && ev.event.clientY !== undefined ? ev.event.clientY - box.top : 10;
        tip.style.left = x + 12 + "px";
        tip.style.top = y + 12 + "px";
        tip.style.display = "block";
      });
      plot.on("plotly_unhover", function () { tip.style.display = "none"; });
    });
  }
  // 3-D plots need WebGL; without it the PNG (first two axes) stays.
  if (${e.dims === 3 ? "true" : "false"}) {
    var probe = document.createElement("canvas");
    if (!(probe.getContext("webgl") || probe.getContext("experimental-webgl"))) return;
  }
  if (window.Plotly) draw(window.Plotly);
  else if (typeof window.requirejs === "function") {
    try { window.requirejs(["plotly"], draw, function () {}); } catch (err) {}
  }
})();
</script>`;
}
