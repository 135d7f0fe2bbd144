import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { assertPositiveInt } from "../model/validate";
import { featureValues, MapLike, rankDescending } from "./maps";
import { ModelMetricOptions, modelInput } from "./model-input";
import { imputeArray } from "./imputation";
import { metricResult, MetricResult } from "./result";
import { RunOptions, withWork } from "../core/work";

export interface RoadOptions extends ModelMetricOptions, RunOptions {
  /** Shares of the pixels removed, each in (0, 1) (default 0.1, 0.2, …, 0.9). */
  percentiles?: number[];
  /** Noise of the imputation (default 0.01). */
  noise?: number;
  /** Seed of the imputation noise (default 0). */
  seed?: number;
}

export interface RoadResult extends MetricResult {
  percentiles: number[];
  /** Per example, the output with the most relevant pixels removed, at each percentile (falls fast if faithful). */
  morf: number[][];
  /** Per example, the output with the least relevant pixels removed (stays high if faithful). */
  lerf: number[][];
}

/**
 * ROAD (Rong et al. 2022): remove the most relevant (MoRF) or least relevant (LeRF) pixels at each
 * percentile, fill them by noisy linear imputation (no constant baseline whose shape the model could
 * see), and record the output for the target. `scores` per example: mean LeRF − mean MoRF, larger is
 * more faithful. Images only ([H, W, C] or a batch).
 */
export async function road(model: unknown, input: unknown, attribution: MapLike, options: RoadOptions = {}): Promise<RoadResult> {
  const percentiles = options.percentiles ?? [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  const batchSize = options.batchSize ?? 32;
  assertPositiveInt(batchSize, "batchSize");
  if (
    !Array.isArray(percentiles) ||
    percentiles.length === 0 ||
    !percentiles.every((p) => Number.isFinite(p) && p > 0 && p < 1)
  ) {
    fail(
      `percentiles are shares of the pixels strictly between 0 and 1, e.g. [0.1, 0.5, 0.9]; got ${JSON.stringify(percentiles)}.`,
    );
  }
  return withWork("road", options, async (work) => {
    work.throwIfAborted();
    const m = await modelInput(model, input, options);
    try {
      const { x, item } = m;
      if (item.length !== 3)
        fail(`ROAD imputes image pixels, so the input must be images [H, W, C]; this model's input is [${item.join(", ")}].`);
      const [h, w, c] = item;
      const batch = x.shape[0];
      const values = featureValues(attribution, batch, item);
      const n = h * w;
      const pixels = x.dataSync() as Float32Array;
      const morf: number[][] = [],
        lerf: number[][] = [];
      work.plan(2 * batch, "curves");
      for (let e = 0; e < batch; e++) {
        const order = rankDescending(values[e]);
        const image = pixels.subarray(e * n * c, (e + 1) * n * c);
        for (const [kind, curves] of [
          ["morf", morf],
          ["lerf", lerf],
        ] as const) {
          const imputed = percentiles.map((p, j) => {
            const count = Math.min(n - 1, Math.round(p * n));
            const removed = new Uint8Array(n);
            for (let i = 0; i < count; i++) removed[order[kind === "morf" ? i : n - 1 - i]] = 1;
            return imputeArray(image, h, w, c, removed, { noise: options.noise, seed: (options.seed ?? 0) + 1000 * e + j });
          });
          const ys: number[] = [];
          for (let start = 0; start < imputed.length; start += batchSize) {
            const part = imputed.slice(start, start + batchSize);
            const all = new Float32Array(part.length * n * c);
            part.forEach((a, j) => all.set(a, j * n * c));
            ys.push(...tf.tidy(() => m.outputs(tf.tensor4d(all, [part.length, h, w, c]), new Array(part.length).fill(e))));
          }
          curves.push(ys);
          await work.step();
        }
      }
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      return metricResult(
        "road",
        morf.map((mo, e) => mean(lerf[e]) - mean(mo)),
        { percentiles, morf, lerf },
      );
    } finally {
      m.x.dispose();
    }
  });
}
