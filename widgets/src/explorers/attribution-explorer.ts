/**
 * attributionExplorer(model, image): pick a method, a target class and (for CAM methods) a layer; the
 * attribution is drawn over the image. Opacity is jslinked to the heatmap, so it changes in the page
 * without a kernel round trip; colormap and threshold sit in the heatmap's own controls.
 */
import * as tf from "@tensorflow/tfjs";
import { Model } from "../../../src/model/kind";
import { DeepVizError } from "../../../src/errors";
import type { Progress } from "../../../src/core/work";
import { getMethod, listMethods } from "../../../src/methods/registry";
import { endsInSoftmax, forward } from "../../../src/model/interpreter";
import { LatestWins } from "../coalesce";
import { FloatSlider, HBox, HTML } from "../controls";
import { jslink } from "../link";
import { Dropdown } from "../selection";
import { Heatmap } from "../views";
import { Busy } from "./busy";
import { Explorer } from "./explorer";
import { imageBytes, mapOf, spatialLayers } from "./tensor-data";

export interface AttributionExplorerOptions {
  /** Class names, index → name (default "class i"). */
  classNames?: string[];
  /** Method names to offer (default every registered one, see dv.listMethods()). */
  methods?: string[];
  size?: number;
  /** The picture under the map, RGB or grey in [0, 1], when the model's input is preprocessed (default: the input). */
  display?: tf.Tensor;
}

export class AttributionExplorer extends Explorer {
  readonly method: Dropdown<string>;
  readonly target: Dropdown<number>;
  readonly layer: Dropdown<string>;
  readonly opacity = new FloatSlider({ description: "opacity", min: 0, max: 1, step: 0.05, value: 0.6 });
  readonly heatmap: Heatmap;
  readonly info = new HTML();
  readonly busy = new Busy();
  private readonly refresh: LatestWins<[]>;

  constructor(
    model: Model,
    image: tf.Tensor,
    /** The model's outputs for the image: probabilities when it ends in a softmax, else raw scores. */
    readonly probabilities: number[],
    private readonly options: AttributionExplorerOptions = {},
    private readonly asProbabilities = true,
  ) {
    const offered = listMethods().filter((m) => !options.methods || options.methods.includes(m.name));
    super(model, image, () => {
      if (!offered.length)
        throw new DeepVizError(
          `none of the methods ${options.methods?.join(", ")} is available; choose from ${listMethods()
            .map((m) => m.name)
            .join(", ")}`,
        );
    });
    this.method = new Dropdown({ description: "method", options: offered.map((m) => m.name) });
    const names = options.classNames ?? [];
    const order = probabilities.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
    this.target = new Dropdown<number>({
      description: "target",
      options: order.map(
        ([p, i]) =>
          [
            `${names[i] ?? `class ${i}`} (${this.asProbabilities ? `${(100 * p).toFixed(1)}%` : `score ${p.toFixed(2)}`})`,
            i,
          ] as const,
      ),
    });
    let convLayers: string[] = [];
    try {
      convLayers = spatialLayers(model).map((l) => l.name);
    } catch {
      convLayers = [];
    }
    this.layer = new Dropdown({
      description: "layer",
      options: convLayers,
      index: convLayers.length ? convLayers.length - 1 : null,
    });
    this.heatmap = new Heatmap({ size: options.size ?? 256, opacity: this.opacity.value, title: "" });
    jslink([this.opacity, "value"], [this.heatmap, "opacity"]);
    this.refresh = this.redraw(() => this.update());
    for (const w of [this.method, this.target, this.layer]) w.observe(() => void this.refresh(), "index");
    this.setParts([
      new HBox([this.method, this.target]),
      new HBox([this.layer, this.opacity, this.busy.bar]),
      this.info,
      this.heatmap,
    ]);
  }

  async init(): Promise<this> {
    const { rgba, width, height } = await imageBytes(this.options.display ?? this.image);
    this.heatmap.set({ image: rgba, image_width: width, image_height: height });
    await this.refresh();
    return this;
  }

  idle(): Promise<void> {
    return this.refresh.idle();
  }

  private async update(): Promise<void> {
    const spec = getMethod(this.method.value!);
    this.layer.disabled = !spec.needsLayer;
    const options: Record<string, unknown> = { ...spec.defaults?.(this.model, this.image), target: this.target.value };
    if (spec.needsLayer && this.layer.value) options.layer = this.layer.value;
    const started = Date.now();
    const { map, width, height } = await this.busy.run(async (step) => {
      // the busy bar shows how far the method is; no progress output of its own in the notebook
      // a newer choice aborts this run (through the coalesced redraw's signal) instead of waiting for it
      const run = {
        ...options,
        progress: false,
        signal: this.refresh.signal,
        onProgress: (p: Progress) => step(p.done / p.total),
      };
      const attribution = await spec.run(this.model, this.image, run);
      try {
        return await mapOf(attribution.values, !spec.signed);
      } finally {
        attribution.dispose();
      }
    });
    this.heatmap.holdSync(() => {
      this.heatmap.signed = spec.signed;
      this.heatmap.colormap = spec.signed ? "bwr" : "inferno";
      this.heatmap.setMap(map, width, height);
      this.heatmap.title = `${spec.name} → ${this.target.label}`;
    });
    this.info.value = `${spec.name}${options.layer ? ` on ${options.layer}` : ""}, target ${this.target.label}: ${Date.now() - started} ms`;
  }
}

/** Compare attribution methods on one image (HWC tensor). Await it; the result displays itself. */
export async function attributionExplorer(
  model: Model,
  image: tf.Tensor,
  options: AttributionExplorerOptions = {},
): Promise<AttributionExplorer> {
  // the model's own output (after its softmax), not the pre-softmax scores the methods explain
  const probs = tf.tidy(() => {
    const out = forward(model, tf.expandDims(image, 0), { logits: false }).output;
    return Array.from(tf.reshape(out, [-1]).dataSync());
  });
  return new AttributionExplorer(model, image, probs, options, endsInSoftmax(model)).init();
}
