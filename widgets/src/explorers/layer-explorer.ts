/**
 * layerExplorer(model, image): a layer slider and a channel slider over the image's feature maps.
 * Shows every channel of the layer as a grid (click a tile to pick it), the picked channel over the
 * image, and that channel's filter. Moving the layer slider recomputes (with progress); moving the
 * channel slider only sends the cached map. Both are coalesced: moves that arrive together draw once.
 */
import * as tf from "@tensorflow/tfjs";
import { Model } from "../../../src/model/kind";
import { LayerInfo } from "../../../src/model/layers";
import { valueRange } from "../../../src/render/normalize";
import { LatestWins } from "../coalesce";
import { HBox, HTML, IntSlider, VBox } from "../controls";
import { link } from "../link";
import { Colormap, FeatureGrid, Heatmap } from "../views";
import { Busy } from "./busy";
import { Explorer } from "./explorer";
import { ActivationCache, channelOf, filterOf, imageBytes, spatialLayers } from "./tensor-data";

export interface LayerExplorerOptions {
  /** Layer to start on (name); default the first spatial layer. */
  layer?: string;
  /** Heatmap size in pixels (default 256). */
  size?: number;
  colormap?: Colormap;
  /** Tile size of the feature-map grid (default 40). */
  tileSize?: number;
}

export class LayerExplorer extends Explorer {
  readonly layers: LayerInfo[];
  readonly layerSlider: IntSlider;
  readonly channelSlider: IntSlider;
  readonly info = new HTML();
  readonly grid: FeatureGrid;
  readonly heatmap: Heatmap;
  readonly filter: FeatureGrid;
  readonly busy = new Busy();
  private readonly cache: ActivationCache;
  private readonly refresh: LatestWins<[]>;
  private readonly refreshChannel: LatestWins<[]>;

  constructor(model: Model, image: tf.Tensor, options: LayerExplorerOptions = {}) {
    super(model, image, () => spatialLayers(model));
    this.layers = spatialLayers(model);
    const start = Math.max(
      0,
      this.layers.findIndex((l) => l.name === options.layer),
    );
    this.cache = new ActivationCache(model, this.image);
    this.layerSlider = new IntSlider({
      description: "layer",
      min: 0,
      max: this.layers.length - 1,
      value: start,
      layout: { width: "340px" },
    });
    this.channelSlider = new IntSlider({ description: "channel", min: 0, max: 0, layout: { width: "340px" } });
    const colormap = options.colormap ?? "viridis";
    this.grid = new FeatureGrid({ tile_size: options.tileSize ?? 40, colormap, title: "all channels (click one)" });
    this.heatmap = new Heatmap({ size: options.size ?? 256, colormap, opacity: 0.6, title: "channel over the image" });
    this.filter = new FeatureGrid({
      tile_size: 32,
      colormap: "bwr",
      normalize: "global",
      title: "its filter (per input channel)",
    });
    link([this.channelSlider, "value"], [this.grid, "selected"]);
    this.refresh = this.redraw(() => this.update());
    this.refreshChannel = this.redraw(() => this.showChannel());
    this.layerSlider.observe(() => void this.refresh(), "value");
    this.channelSlider.observe(() => void this.refreshChannel(), "value");
    this.setParts([
      new HBox([this.layerSlider, this.channelSlider, this.busy.bar]),
      this.info,
      new HBox([this.heatmap, new VBox([this.grid, this.filter])]),
    ]);
  }

  /** First drawing: the image and the starting layer. */
  async init(): Promise<this> {
    const { rgba, width, height } = await imageBytes(this.image);
    this.heatmap.set({ image: rgba, image_width: width, image_height: height });
    await this.refresh();
    return this;
  }

  /** Resolves when no recomputation runs or waits. */
  async idle(): Promise<void> {
    await this.refresh.idle();
    await this.refreshChannel.idle();
  }

  get layer(): LayerInfo {
    return this.layers[this.layerSlider.value];
  }

  private async update(): Promise<void> {
    const layer = this.layer;
    const maps = this.cache.has(layer.name)
      ? this.cache.peek(layer.name)!
      : await this.busy.run(() => this.cache.get(layer.name));
    if (layer !== this.layer) return; // the slider moved on; the next run draws
    this.channelSlider.max = maps.channels - 1; // clamps the channel
    this.grid.setMaps(maps.data, maps.channels, maps.height, maps.width);
    this.grid.selected = this.channelSlider.value;
    this.showChannel();
  }

  private showChannel(): void {
    const layer = this.layer;
    const maps = this.cache.peek(layer.name);
    if (!maps) return;
    const c = Math.min(this.channelSlider.value, maps.channels - 1);
    const values = channelOf(maps, c);
    const [lo, hi] = valueRange(values);
    this.heatmap.holdSync(() => {
      this.heatmap.setMap(values, maps.width, maps.height);
      this.heatmap.title = `${layer.name} channel ${c}`;
    });
    const f = filterOf(this.model, layer.name, c);
    this.filter.layout.display = f ? null : "none";
    if (f) this.filter.setMaps(f.data, f.channels, f.height, f.width);
    this.info.value =
      `<b>${layer.name}</b> (${layer.className}${layer.activation ? `, ${layer.activation}` : ""}) ` +
      `output ${maps.height}×${maps.width}×${maps.channels} · channel ${c}: min ${lo.toPrecision(3)}, max ${hi.toPrecision(3)}`;
  }
}

/** Explore a model's feature maps for one image (HWC tensor). Await it; the result displays itself. */
export async function layerExplorer(model: Model, image: tf.Tensor, options: LayerExplorerOptions = {}): Promise<LayerExplorer> {
  return new LayerExplorer(model, image, options).init();
}
