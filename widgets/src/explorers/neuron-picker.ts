/**
 * neuronPicker(model, image): click a position in a channel's feature map to see the gradient of
 * that one neuron with respect to the input (its receptive field and what excites it), with the
 * normal or guided backward rule.
 */
import * as tf from "@tensorflow/tfjs";
import { Model } from "../../../src/model/kind";
import { neuronGradient } from "../../../src/methods/layer-methods";
import { LayerInfo } from "../../../src/model/layers";
import { LatestWins } from "../coalesce";
import { HBox, HTML, IntSlider } from "../controls";
import { Dropdown, ToggleButtons } from "../selection";
import { Heatmap, HeatmapClick } from "../views";
import { Busy } from "./busy";
import { Explorer } from "./explorer";
import { ActivationCache, channelOf, imageBytes, mapOf, spatialLayers } from "./tensor-data";

export interface NeuronPickerOptions {
  layer?: string;
  size?: number;
}

export class NeuronPicker extends Explorer {
  readonly layers: LayerInfo[];
  readonly layer: Dropdown<string>;
  readonly channel = new IntSlider({ description: "channel", min: 0, max: 0 });
  readonly rule = new ToggleButtons<string>({ options: ["normal", "guided"], description: "backward" });
  readonly activation: Heatmap;
  readonly gradient: Heatmap;
  readonly info = new HTML({ value: "click a position in the feature map" });
  readonly busy = new Busy();
  /** The neuron shown: map cell of the chosen channel. */
  position: { x: number; y: number } | null = null;
  private readonly cache: ActivationCache;
  private readonly refreshMap: LatestWins<[]>;
  private readonly refreshGradient: LatestWins<[]>;

  constructor(model: Model, image: tf.Tensor, options: NeuronPickerOptions = {}) {
    super(model, image, () => spatialLayers(model));
    this.layers = spatialLayers(model);
    this.cache = new ActivationCache(model, this.image);
    const names = this.layers.map((l) => l.name);
    this.layer = new Dropdown({
      description: "layer",
      options: names,
      value: options.layer && names.includes(options.layer) ? options.layer : names[0],
    });
    const size = options.size ?? 256;
    this.activation = new Heatmap({ size, opacity: 0.7, title: "feature map (click a neuron)" });
    this.gradient = new Heatmap({ size, opacity: 0.8, colormap: "inferno", title: "its gradient w.r.t. the input" });
    this.refreshMap = this.redraw(() => this.updateMap());
    this.refreshGradient = this.redraw(() => this.updateGradient());
    this.layer.observe(() => {
      this.position = null;
      void this.refreshMap();
    }, "index");
    this.channel.observe(() => void this.refreshMap(), "value");
    this.rule.observe(() => void this.refreshGradient(), "index");
    this.activation.onClick((c: HeatmapClick) => {
      this.position = { x: c.x, y: c.y };
      void this.refreshGradient();
    });
    this.setParts([
      new HBox([this.layer, this.channel, this.rule, this.busy.bar]),
      this.info,
      new HBox([this.activation, this.gradient]),
    ]);
  }

  async init(): Promise<this> {
    const { rgba, width, height } = await imageBytes(this.image);
    this.activation.set({ image: rgba, image_width: width, image_height: height });
    this.gradient.set({ image: rgba, image_width: width, image_height: height });
    await this.refreshMap();
    return this;
  }

  /** Pick a neuron from code, as a click would. */
  async pick(x: number, y: number): Promise<void> {
    this.position = { x, y };
    await this.refreshGradient();
  }

  async idle(): Promise<void> {
    await this.refreshMap.idle();
    await this.refreshGradient.idle();
  }

  private async updateMap(): Promise<void> {
    const name = this.layer.value!;
    const maps = await this.busy.run(() => this.cache.get(name));
    this.channel.max = maps.channels - 1;
    this.activation.holdSync(() => {
      this.activation.setMap(channelOf(maps, this.channel.value), maps.width, maps.height);
      this.activation.marker = this.position ? [this.position.x, this.position.y] : null;
      this.activation.title = `${name} channel ${this.channel.value} (click a neuron)`;
    });
    if (this.position) await this.refreshGradient();
  }

  private async updateGradient(): Promise<void> {
    if (!this.position) return;
    const { x, y } = this.position;
    const layer = this.layer.value!;
    const channel = this.channel.value;
    const relu = this.rule.value === "guided" ? "guided" : "normal";
    this.activation.marker = [x, y];
    const started = Date.now();
    const { map, width, height } = await this.busy.run(async () => {
      const g = await neuronGradient(this.model, this.image, { layer, channel, position: [y, x], relu });
      try {
        return await mapOf(g.values, true);
      } finally {
        g.dispose();
      }
    });
    this.gradient.holdSync(() => {
      this.gradient.setMap(map, width, height);
      this.gradient.title = `∂ ${layer}[${y}, ${x}, ${channel}] / ∂ input (${relu})`;
    });
    const maps = this.cache.peek(layer);
    const value = maps ? channelOf(maps, channel)[y * maps.width + x] : NaN;
    this.info.value = `neuron <b>${layer}</b> row ${y}, column ${x}, channel ${channel}: activation ${value.toPrecision(4)} · gradient in ${Date.now() - started} ms`;
  }
}

/** Click neurons of a feature map and see their input gradients. Await it; the result displays itself. */
export async function neuronPicker(model: Model, image: tf.Tensor, options: NeuronPickerOptions = {}): Promise<NeuronPicker> {
  return new NeuronPicker(model, image, options).init();
}
