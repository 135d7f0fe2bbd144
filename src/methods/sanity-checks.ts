import * as tf from "@tensorflow/tfjs";
import { AttributionMethod, Target } from "../attribution";
import { RunOptions } from "../core/work";
import { bundleFor, JUPYTER_DISPLAY, MimeBundle } from "../core/display-registry";
import { mulberry32, normals } from "../core/random";
import { fail } from "../errors";
import { Model } from "../model/kind";
import { LayerRef } from "../model/layers";
import { assertModel, inputShape } from "../model/validate";
import { layerWeights } from "../model/weights";
import { inFrame } from "./explain";
import { saliency } from "./saliency";
import { spearman, ssim } from "./similarity";

export interface SanityCheckOptions extends RunOptions {
  /** The method under test (default dv.saliency) and its options. */
  method?: AttributionMethod;
  methodOptions?: Record<string, unknown>;
  /** The class to explain (default "predicted", fixed from the trained model); overrides methodOptions.target. */
  target?: Target;
  /** cascading: randomize from the top layer down, keeping earlier randomizations; independent: one layer at a time. */
  mode?: "cascading" | "independent";
  /** Layers to randomize, top first (default: every layer with weights, from the output down). */
  layers?: LayerRef[];
  seed?: number;
}

/** One row per randomization: the map's similarity to the map of the trained model. */
export class SanityCheckResult {
  constructor(
    readonly method: string,
    readonly mode: "cascading" | "independent",
    /** The layer randomized at each step (cascading: everything from the top down to it). */
    readonly layers: string[],
    /** Spearman rank correlation of the absolute maps, of the signed maps, and SSIM of the absolute maps. */
    readonly spearmanAbs: number[],
    readonly spearmanSigned: number[],
    readonly ssim: number[],
  ) {}

  toString(): string {
    const rows = this.layers.map(
      (l, i) =>
        `${l.padEnd(16)} rank(|m|)=${this.spearmanAbs[i].toFixed(3)} rank(m)=${this.spearmanSigned[i].toFixed(3)} ssim=${this.ssim[i].toFixed(3)}`,
    );
    return [`Sanity check of ${this.method} (${this.mode} randomization)`, ...rows].join("\n");
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return bundleFor("sanityCheck", this, this.toString());
  }
}

/**
 * Model-parameter randomization test (Adebayo et al. 2018): re-draw the weights of layers (from the top,
 * cascading, or one at a time) and measure how much the explanation changes. A method that explains the
 * model must change when the model does. Works on LayersModels and GraphModels (a layer is then a node
 * with weights); every weight is restored exactly afterwards, however the check ends.
 */
export async function sanityCheck(model: Model, input: tf.Tensor, options: SanityCheckOptions = {}): Promise<SanityCheckResult> {
  assertModel(model);
  const method = options.method ?? saliency;
  const mode = options.mode ?? "cascading";
  if (mode !== "cascading" && mode !== "independent") fail(`mode must be "cascading" or "independent"; got ${mode}.`);
  const run = {
    onProgress: options.onProgress,
    signal: options.signal,
    progress: options.progress,
    target: options.target ?? (options.methodOptions?.target as Target | undefined) ?? "predicted",
  };
  const batched = input instanceof tf.Tensor && input.rank === inputShape(model).length;
  return inFrame("sanityCheck", model, input, run, {}, async ({ target: resolved, work }) => {
    if (!resolved.classes) fail("sanityCheck needs class targets (a function target cannot be fixed across models).");
    const classes = resolved.classes;
    const target = classes.length === 1 && !batched ? classes[0] : classes;
    const weights = layerWeights(model, options.layers);
    const layers = weights.layers;
    const mapOf = async () => {
      // signed maps where the method has a choice (saliency): the absolute comparison is made here;
      // the method shows no progress of its own and stops with this check
      const a = await method(model, input, {
        abs: false,
        ...options.methodOptions,
        target,
        progress: false,
        signal: work.signal,
      });
      const v = mapValues(a.values, batched);
      a.dispose();
      await work.step();
      return v;
    };
    const random = mulberry32(options.seed ?? 0);
    const result = { abs: [] as number[], signed: [] as number[], ssim: [] as number[] };
    try {
      work.plan(layers.length + 1, "maps");
      const reference = await mapOf();
      for (const layer of layers) {
        if (mode === "independent") weights.restore();
        weights.replace(layer, (w) => randomLike(w, random));
        const map = await mapOf();
        result.abs.push(spearman(reference.abs, map.abs));
        result.signed.push(spearman(reference.signed, map.signed));
        result.ssim.push(ssim(reference.abs, map.abs, map.h, map.w));
      }
    } finally {
      // restored whether the check ended, failed or was aborted
      weights.dispose();
    }
    const name = (method as { name?: string }).name || "custom";
    return new SanityCheckResult(name, mode, layers, result.abs, result.signed, result.ssim);
  });
}

/** Normal draws with the weight's own standard deviation (zeros stay zeros). */
function randomLike(w: tf.Tensor, random: () => number): tf.Tensor {
  return tf.tidy(() => {
    const std = tf.moments(w).variance.sqrt().dataSync()[0];
    return tf.mul(tf.tensor(normals(w.size, random), w.shape), std);
  });
}

/** The first example's map summed over channels (images) or flattened, absolute and signed. */
function mapValues(values: tf.Tensor, batched: boolean): { abs: Float32Array; signed: Float32Array; h: number; w: number } {
  return tf.tidy(() => {
    const one = batched ? tf.squeeze(tf.slice(values, 0, 1), [0]) : values;
    const signed = one.rank === 3 ? tf.sum(one, -1) : tf.reshape(one, [1, -1]);
    const abs = one.rank === 3 ? tf.sum(tf.abs(one), -1) : tf.abs(signed);
    const [h, w] = signed.shape as [number, number];
    return { abs: abs.dataSync() as Float32Array, signed: signed.dataSync() as Float32Array, h, w };
  });
}
