/**
 * Feature-map grid: every channel of one layer as a tile, all from one float32 buffer laid out
 * [channels, height, width]. Clicking a tile selects that channel (synced to the kernel).
 */
import { DOMWidgetModel, DOMWidgetView, ISerializers } from "@jupyter-widgets/base";
import { colorize, valueRange } from "./map-pixels";
import { announceDraw, floatsSerializer } from "./serializers";
import { MODULE_NAME, MODULE_VERSION } from "./version";

export class FeatureGridModel extends DOMWidgetModel {
  defaults() {
    return {
      ...super.defaults(),
      _model_name: "FeatureGridModel",
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_name: "FeatureGridView",
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      data: null,
      channels: 0,
      height: 0,
      width: 0,
      columns: 0,
      tile_size: 48,
      colormap: "viridis",
      normalize: "channel",
      selected: -1,
      title: "",
    };
  }
  static serializers: ISerializers = { ...DOMWidgetModel.serializers, data: floatsSerializer };
}

export class FeatureGridView extends DOMWidgetView {
  private canvas!: HTMLCanvasElement;
  private readout!: HTMLDivElement;
  private tiles: HTMLCanvasElement | null = null;

  render(): void {
    this.el.classList.add("deepviz-feature-grid");
    const title = document.createElement("div");
    title.style.fontWeight = "bold";
    this.canvas = document.createElement("canvas");
    this.canvas.style.cursor = "pointer";
    this.readout = document.createElement("div");
    this.readout.style.font = "12px monospace";
    this.readout.textContent = "\u00a0";
    this.el.append(title, this.canvas, this.readout);
    const setTitle = () => (title.textContent = this.model.get("title"));
    setTitle();
    this.listenTo(this.model, "change:title", setTitle);
    this.listenTo(
      this.model,
      "change:data change:channels change:height change:width change:colormap change:normalize change:columns",
      () => {
        this.tiles = null;
        this.draw();
      },
    );
    this.listenTo(this.model, "change:selected change:tile_size", () => this.draw());
    this.canvas.addEventListener("click", (e) => {
      const t = this.tileAt(e);
      if (t) {
        this.model.set("selected", t.channel);
        this.touch();
      }
    });
    this.canvas.addEventListener("mousemove", (e) => {
      const t = this.tileAt(e);
      this.readout.textContent = t ? `channel ${t.channel} (${t.x}, ${t.y}) = ${t.value.toPrecision(4)}` : "\u00a0";
    });
    this.draw();
  }

  private grid() {
    const n = this.model.get("channels");
    const cols = this.model.get("columns") || Math.ceil(Math.sqrt(n));
    return { n, cols, rows: Math.ceil(n / cols), h: this.model.get("height"), w: this.model.get("width") };
  }

  /** All tiles at their own resolution on one canvas, one pixel gap between them. */
  private buildTiles(): HTMLCanvasElement | null {
    const data: Float32Array | null = this.model.get("data");
    const { n, cols, rows, h, w } = this.grid();
    if (!data || !n || data.length !== n * h * w) return null;
    const W = cols * (w + 1) - 1;
    const H = rows * (h + 1) - 1;
    const px = new Uint8ClampedArray(W * H * 4);
    const cmap = this.model.get("colormap");
    const perChannel = this.model.get("normalize") !== "global";
    const whole = perChannel ? null : valueRange(data);
    for (let c = 0; c < n; c++) {
      const tile = data.subarray(c * h * w, (c + 1) * h * w);
      const { rgba } = colorize(tile, w, h, cmap, whole ?? valueRange(tile));
      const ox = (c % cols) * (w + 1);
      const oy = Math.floor(c / cols) * (h + 1);
      for (let y = 0; y < h; y++) px.set(rgba.subarray(y * w * 4, (y + 1) * w * 4), ((oy + y) * W + ox) * 4);
    }
    const canvas = document.createElement("canvas");
    canvas.width = W;
    canvas.height = H;
    canvas.getContext("2d")!.putImageData(new ImageData(px, W, H), 0, 0);
    return canvas;
  }

  private draw(): void {
    const { n, cols, rows } = this.grid();
    const size = this.model.get("tile_size");
    const W = cols * (size + 2);
    const H = rows * (size + 2);
    if (this.canvas.width !== W || this.canvas.height !== H) {
      this.canvas.width = Math.max(W, 1);
      this.canvas.height = Math.max(H, 1);
    }
    this.tiles ??= this.buildTiles();
    const ctx = this.canvas.getContext("2d")!;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (this.tiles) {
      const { h, w } = this.grid();
      ctx.imageSmoothingEnabled = false;
      for (let c = 0; c < n; c++) {
        const sx = (c % cols) * (w + 1);
        const sy = Math.floor(c / cols) * (h + 1);
        ctx.drawImage(this.tiles, sx, sy, w, h, (c % cols) * (size + 2) + 1, Math.floor(c / cols) * (size + 2) + 1, size, size);
      }
    }
    const sel = this.model.get("selected");
    if (sel >= 0 && sel < n) {
      ctx.strokeStyle = "#ff00ff";
      ctx.lineWidth = 2;
      ctx.strokeRect((sel % cols) * (size + 2) + 1, Math.floor(sel / cols) * (size + 2) + 1, size, size);
    }
    announceDraw(this.canvas, "feature-grid");
  }

  private tileAt(e: MouseEvent) {
    const r = this.canvas.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * this.canvas.width;
    const py = ((e.clientY - r.top) / r.height) * this.canvas.height;
    const { n, cols, h, w } = this.grid();
    const size = this.model.get("tile_size");
    const col = Math.floor(px / (size + 2));
    const row = Math.floor(py / (size + 2));
    const channel = row * cols + col;
    if (col >= cols || channel < 0 || channel >= n) return null;
    const x = Math.min(w - 1, Math.max(0, Math.floor(((px - col * (size + 2) - 1) / size) * w)));
    const y = Math.min(h - 1, Math.max(0, Math.floor(((py - row * (size + 2) - 1) / size) * h)));
    const data: Float32Array | null = this.model.get("data");
    return { channel, x, y, value: data ? data[channel * h * w + y * w + x] : NaN };
  }
}
