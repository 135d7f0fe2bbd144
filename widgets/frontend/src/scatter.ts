/**
 * Scatter plot (plotly) of an embedding: points and per-point thumbnails come as binary buffers;
 * hovering a point shows its image; a lasso or box selection goes back to the kernel as `selected`.
 */
import { DOMWidgetModel, DOMWidgetView, ISerializers } from "@jupyter-widgets/base";
// plotly.js-dist ships no types; the few calls used here are typed by hand below.
const Plotly: PlotlyApi = require("plotly.js-dist");
import { announceDraw, bytes, bytesSerializer, floatsSerializer } from "./serializers";
import { MODULE_NAME, MODULE_VERSION } from "./version";

interface PlotlyApi {
  react(el: HTMLElement, data: unknown[], layout: unknown, config?: unknown): Promise<unknown>;
  purge(el: HTMLElement): void;
}
type PlotlyElement = HTMLElement & { on(event: string, fn: (e: any) => void): void };

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

export class ScatterModel extends DOMWidgetModel {
  defaults() {
    return {
      ...super.defaults(),
      _model_name: "ScatterModel",
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_name: "ScatterView",
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      points: null,
      labels: null,
      label_names: [],
      thumbnails: null,
      thumb_width: 0,
      thumb_height: 0,
      thumb_channels: 1,
      selected: [],
      title: "",
      width: 520,
      height: 420,
    };
  }
  static serializers: ISerializers = {
    ...DOMWidgetModel.serializers,
    points: floatsSerializer,
    labels: { deserialize: (v: any) => (v ? new Int32Array(bytes(v)!.slice().buffer) : null) },
    thumbnails: bytesSerializer,
  };
}

export class ScatterView extends DOMWidgetView {
  private plot!: PlotlyElement;
  private thumb!: HTMLCanvasElement;
  private caption!: HTMLDivElement;

  render(): void {
    this.el.classList.add("deepviz-scatter");
    const row = document.createElement("div");
    row.style.display = "flex";
    row.style.gap = "8px";
    row.style.alignItems = "flex-start";
    this.plot = document.createElement("div") as unknown as PlotlyElement;
    const side = document.createElement("div");
    this.thumb = document.createElement("canvas");
    this.thumb.width = 112;
    this.thumb.height = 112;
    this.thumb.style.border = "1px solid #ccc";
    this.thumb.style.imageRendering = "pixelated";
    this.caption = document.createElement("div");
    this.caption.style.font = "12px monospace";
    side.append(this.thumb, this.caption);
    row.append(this.plot, side);
    this.el.append(row);
    this.listenTo(
      this.model,
      "change:points change:labels change:label_names change:title change:width change:height",
      () => void this.draw(),
    );
    void this.draw().then(() => {
      this.plot.on("plotly_hover", (e) => this.showThumb(e.points?.[0]?.customdata));
      this.plot.on("plotly_selected", (e) => {
        const ids = (e?.points ?? []).map((p: any) => p.customdata as number).sort((a: number, b: number) => a - b);
        this.model.set("selected", ids);
        this.touch();
      });
      this.plot.on("plotly_deselect", () => {
        this.model.set("selected", []);
        this.touch();
      });
    });
  }

  remove(): void {
    Plotly.purge(this.plot);
    super.remove();
  }

  private async draw(): Promise<void> {
    const pts: Float32Array | null = this.model.get("points");
    const labels: Int32Array | null = this.model.get("labels");
    const names: string[] = this.model.get("label_names");
    const n = pts ? pts.length >> 1 : 0;
    const groups = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const l = labels ? labels[i] : 0;
      if (!groups.has(l)) groups.set(l, []);
      groups.get(l)!.push(i);
    }
    const traces = [...groups.entries()]
      .sort(([a], [b]) => a - b)
      .map(([l, ids]) => ({
        type: "scatter",
        mode: "markers",
        name: names[l] ?? (labels ? String(l) : "points"),
        x: ids.map((i) => pts![2 * i]),
        y: ids.map((i) => pts![2 * i + 1]),
        customdata: ids,
        marker: { size: 6, color: PALETTE[((l % PALETTE.length) + PALETTE.length) % PALETTE.length] },
        hovertemplate: "#%{customdata}<extra>%{fullData.name}</extra>",
      }));
    await Plotly.react(
      this.plot,
      traces,
      {
        title: { text: this.model.get("title") },
        width: this.model.get("width"),
        height: this.model.get("height"),
        dragmode: "lasso",
        margin: { l: 40, r: 10, t: 40, b: 30 },
        hovermode: "closest",
      },
      { displaylogo: false, responsive: false },
    );
    announceDraw(this.plot, "scatter");
  }

  /** Draw thumbnail `i` (gray or RGBA, row-major) into the side canvas. */
  private showThumb(i: number | undefined): void {
    const all: Uint8Array | null = this.model.get("thumbnails");
    const w = this.model.get("thumb_width");
    const h = this.model.get("thumb_height");
    const ch = this.model.get("thumb_channels");
    if (i === undefined || !all || !w || !h) return;
    const src = all.subarray(i * w * h * ch, (i + 1) * w * h * ch);
    const px = new Uint8ClampedArray(w * h * 4);
    for (let p = 0; p < w * h; p++) {
      for (let c = 0; c < 3; c++) px[p * 4 + c] = src[p * ch + (ch === 1 ? 0 : c)];
      px[p * 4 + 3] = ch === 4 ? src[p * 4 + 3] : 255;
    }
    const tile = document.createElement("canvas");
    tile.width = w;
    tile.height = h;
    tile.getContext("2d")!.putImageData(new ImageData(px, w, h), 0, 0);
    const ctx = this.thumb.getContext("2d")!;
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, this.thumb.width, this.thumb.height);
    ctx.drawImage(tile, 0, 0, this.thumb.width, this.thumb.height);
    const labels: Int32Array | null = this.model.get("labels");
    const names: string[] = this.model.get("label_names");
    this.caption.textContent = `#${i}${labels ? ` ${names[labels[i]] ?? labels[i]}` : ""}`;
    this.thumb.dataset.point = String(i);
  }
}
