/**
 * Heatmap: an image with a map drawn over it, both composed in the browser. Opacity, colormap and
 * threshold only recolor or recompose locally (no kernel round trip); the value under the cursor is
 * read from the map itself; a click sends the map cell to the kernel as a custom message.
 */
import { DOMWidgetModel, DOMWidgetView, ISerializers } from "@jupyter-widgets/base";
import { COLORMAP_NAMES, heatmapLayer } from "./map-pixels";
import { announceDraw, bytesSerializer, floatsSerializer } from "./serializers";
import { MODULE_NAME, MODULE_VERSION } from "./version";

export class HeatmapModel extends DOMWidgetModel {
  defaults() {
    return {
      ...super.defaults(),
      _model_name: "HeatmapModel",
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_name: "HeatmapView",
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      image: null,
      image_width: 0,
      image_height: 0,
      map: null,
      map_width: 0,
      map_height: 0,
      opacity: 0.5,
      colormap: "viridis",
      threshold: 0,
      signed: false,
      vmin: null,
      vmax: null,
      size: 224,
      marker: null,
      show_controls: true,
      title: "",
    };
  }
  static serializers: ISerializers = {
    ...DOMWidgetModel.serializers,
    image: bytesSerializer,
    map: floatsSerializer,
  };
}

export class HeatmapView extends DOMWidgetView {
  private canvas!: HTMLCanvasElement;
  private readout!: HTMLDivElement;
  private imageLayer: HTMLCanvasElement | null = null;
  private mapLayer: HTMLCanvasElement | null = null;
  private range: [number, number] = [0, 1];

  render(): void {
    this.el.classList.add("deepviz-heatmap");
    this.el.style.display = "inline-flex";
    this.el.style.flexDirection = "column";
    this.el.style.gap = "4px";
    const title = document.createElement("div");
    title.style.fontWeight = "bold";
    this.canvas = document.createElement("canvas");
    this.canvas.style.cursor = "crosshair";
    this.canvas.style.imageRendering = "auto";
    this.readout = document.createElement("div");
    this.readout.style.font = "12px monospace";
    this.readout.textContent = "\u00a0";
    this.el.append(title, this.canvas, this.readout);
    if (this.model.get("show_controls")) this.el.append(this.controls());

    const setTitle = () => {
      title.textContent = this.model.get("title");
      title.style.display = this.model.get("title") ? "" : "none";
    };
    setTitle();
    this.listenTo(this.model, "change:title", setTitle);
    this.listenTo(this.model, "change:image change:image_width change:image_height", () => {
      this.imageLayer = null;
      this.draw();
    });
    this.listenTo(
      this.model,
      "change:map change:map_width change:map_height change:colormap change:threshold change:signed change:vmin change:vmax",
      () => {
        this.mapLayer = null;
        this.draw();
      },
    );
    this.listenTo(this.model, "change:opacity change:size change:marker", () => this.draw());
    this.canvas.addEventListener("mousemove", (e) => this.hover(e));
    this.canvas.addEventListener("mouseleave", () => (this.readout.textContent = "\u00a0"));
    this.canvas.addEventListener("click", (e) => this.click(e));
    this.draw();
  }

  /** Opacity and threshold sliders and a colormap menu, bound to the model (synced, drawn at once). */
  private controls(): HTMLElement {
    const bar = document.createElement("div");
    bar.style.display = "flex";
    bar.style.gap = "8px";
    bar.style.font = "12px sans-serif";
    bar.style.alignItems = "center";
    const slider = (name: string, label: string) => {
      const input = document.createElement("input");
      input.type = "range";
      input.min = "0";
      input.max = "1";
      input.step = "0.01";
      input.value = String(this.model.get(name));
      input.className = `deepviz-${name}`;
      input.style.width = "70px";
      input.addEventListener("input", () => {
        this.model.set(name, Number(input.value));
        this.touch();
      });
      this.listenTo(this.model, `change:${name}`, () => (input.value = String(this.model.get(name))));
      const wrap = document.createElement("label");
      wrap.append(label, input);
      return wrap;
    };
    const select = document.createElement("select");
    select.className = "deepviz-colormap";
    for (const name of COLORMAP_NAMES) select.append(new Option(name, name));
    select.value = this.model.get("colormap");
    select.addEventListener("change", () => {
      this.model.set("colormap", select.value);
      this.touch();
    });
    this.listenTo(this.model, "change:colormap", () => (select.value = this.model.get("colormap")));
    bar.append(slider("opacity", "opacity "), slider("threshold", "threshold "), select);
    return bar;
  }

  private buildImageLayer(): HTMLCanvasElement | null {
    const rgba: Uint8Array | null = this.model.get("image");
    const w = this.model.get("image_width");
    const h = this.model.get("image_height");
    if (!rgba || !w || !h || rgba.length !== w * h * 4) return null;
    const c = document.createElement("canvas");
    c.width = w;
    c.height = h;
    c.getContext("2d")!.putImageData(new ImageData(Uint8ClampedArray.from(rgba), w, h), 0, 0);
    return c;
  }

  private buildMapLayer(): HTMLCanvasElement | null {
    const map: Float32Array | null = this.model.get("map");
    const w = this.model.get("map_width");
    const h = this.model.get("map_height");
    if (!map || !w || !h || map.length !== w * h) return null;
    const { rgba, range } = heatmapLayer(map, w, h, {
      colormap: this.model.get("colormap"),
      signed: this.model.get("signed"),
      vmin: this.model.get("vmin"),
      vmax: this.model.get("vmax"),
      threshold: this.model.get("threshold"),
    });
    this.range = range;
    const c = document.createElement("canvas");
    c.width = w;
    c.height = h;
    c.getContext("2d")!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, w, h), 0, 0);
    return c;
  }

  private draw(): void {
    const size = this.model.get("size");
    const iw = this.model.get("image_width") || this.model.get("map_width") || 1;
    const ih = this.model.get("image_height") || this.model.get("map_height") || 1;
    const scale = size / Math.max(iw, ih);
    const W = Math.round(iw * scale);
    const H = Math.round(ih * scale);
    if (this.canvas.width !== W || this.canvas.height !== H) {
      this.canvas.width = W;
      this.canvas.height = H;
    }
    this.imageLayer ??= this.buildImageLayer();
    this.mapLayer ??= this.buildMapLayer();
    const ctx = this.canvas.getContext("2d")!;
    ctx.clearRect(0, 0, W, H);
    ctx.imageSmoothingEnabled = true;
    ctx.globalAlpha = 1;
    if (this.imageLayer) ctx.drawImage(this.imageLayer, 0, 0, W, H);
    if (this.mapLayer) {
      ctx.globalAlpha = this.imageLayer ? this.model.get("opacity") : 1;
      ctx.drawImage(this.mapLayer, 0, 0, W, H);
      ctx.globalAlpha = 1;
    }
    const marker: [number, number] | null = this.model.get("marker");
    const mw = this.model.get("map_width");
    const mh = this.model.get("map_height");
    if (marker && mw && mh) {
      ctx.strokeStyle = "#ff00ff";
      ctx.lineWidth = 2;
      ctx.strokeRect((marker[0] * W) / mw, (marker[1] * H) / mh, W / mw, H / mh);
    }
    announceDraw(this.canvas, "heatmap");
  }

  /** The map cell under a mouse event, and the image pixel. */
  private cellAt(e: MouseEvent) {
    const r = this.canvas.getBoundingClientRect();
    const fx = (e.clientX - r.left) / r.width;
    const fy = (e.clientY - r.top) / r.height;
    const mw = this.model.get("map_width");
    const mh = this.model.get("map_height");
    const iw = this.model.get("image_width") || mw;
    const ih = this.model.get("image_height") || mh;
    const x = Math.min(mw - 1, Math.max(0, Math.floor(fx * mw)));
    const y = Math.min(mh - 1, Math.max(0, Math.floor(fy * mh)));
    const map: Float32Array | null = this.model.get("map");
    const value = map && mw ? map[y * mw + x] : null;
    return {
      x,
      y,
      value,
      image_x: Math.min(iw - 1, Math.floor(fx * iw)),
      image_y: Math.min(ih - 1, Math.floor(fy * ih)),
    };
  }

  private hover(e: MouseEvent): void {
    const c = this.cellAt(e);
    this.readout.textContent = c.value === null ? "\u00a0" : `(${c.x}, ${c.y}) = ${c.value.toPrecision(4)}`;
  }

  private click(e: MouseEvent): void {
    const c = this.cellAt(e);
    this.send({ event: "click", ...c });
  }
}
