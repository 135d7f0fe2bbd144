import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../attribution";
import { mulberry32, normals } from "../core/random";
import { fail } from "../errors";
import { assertPositiveInt } from "../model/validate";
import { MapLike } from "./maps";
import { ModelMetricOptions, modelInput } from "./model-input";
import { metricResult, MetricResult } from "./result";
import { RunOptions, withWork } from "../core/work";

export interface InfidelityOptions extends ModelMetricOptions, RunOptions {
  /** Perturbations per example (default 32). */
  samples?: number;
  /** Standard deviation of the Gaussian perturbations I, in input units (default 0.1). */
  stdev?: number;
  /** Scale the attribution by the least-squares best β first (Captum's `normalize`; default false). */
  normalize?: boolean;
  seed?: number;
}

/**
 * Infidelity (Yeh et al. 2019): E_I[(Iᵀ Φ − (f(x) − f(x − I)))²] over Gaussian perturbations I, where Φ
 * is the attribution (shaped like the input) and f the target's output (by default the pre-softmax
 * score, the one the methods explain: `output: "score"`). 0 for an attribution that predicts every
 * output change, as Φ = w does for a linear model.
 */
export async function infidelity(
  model: unknown,
  input: unknown,
  attribution: MapLike,
  options: InfidelityOptions = {},
): Promise<MetricResult> {
  const samples = options.samples ?? 32;
  assertPositiveInt(samples, "samples");
  const stdev = options.stdev ?? 0.1;
  if (!(Number.isFinite(stdev) && stdev > 0)) fail(`stdev must be a positive number; got ${stdev}.`);
  const batchSize = options.batchSize ?? 32;
  assertPositiveInt(batchSize, "batchSize");
  return withWork("infidelity", options, async (work) => {
    work.throwIfAborted();
    const m = await modelInput(model, input, { ...options, output: options.output ?? "score" });
    try {
      const { x, item } = m;
      const batch = x.shape[0];
      const values = attribution instanceof Attribution ? attribution.values : attribution;
      if (!(values instanceof tf.Tensor) || values.isDisposed)
        fail("the attribution must be a live dv.Attribution or tf.Tensor.");
      const size = item.reduce((a, d) => a * d, 1);
      const shape = values.shape.join();
      if (shape !== [batch, ...item].join() && !(batch === 1 && shape === item.join())) {
        fail(
          `infidelity needs an attribution shaped like the input ([${x.shape.join(", ")}], or one example's [${item.join(", ")}]); ` +
            `got [${values.shape.join(", ")}]. Per-pixel or layer-sized maps (CAMs) do not say how each input value matters.`,
        );
      }
      const phi = values.dataSync() as Float32Array;
      const random = mulberry32(options.seed ?? 0);
      work.plan(batch * Math.ceil(samples / batchSize), "chunks");
      const scores: number[] = [];
      for (let e = 0; e < batch; e++) {
        const fx = tf.tidy(() => m.outputs(tf.slice(x, e, 1), [e]))[0];
        const dots: number[] = [],
          changes: number[] = [];
        for (let start = 0; start < samples; start += batchSize) {
          const rows = Math.min(samples, start + batchSize) - start;
          const noise = normals(rows * size, random).map((v) => v * stdev);
          for (let r = 0; r < rows; r++) {
            let dot = 0;
            for (let i = 0; i < size; i++) dot += noise[r * size + i] * phi[e * size + i];
            dots.push(dot);
          }
          const ys = tf.tidy(() =>
            m.outputs(tf.sub(tf.slice(x, e, 1), tf.tensor(noise, [rows, ...item])), new Array(rows).fill(e)),
          );
          ys.forEach((y) => changes.push(fx - y));
          await work.step();
        }
        let beta = 1;
        if (options.normalize) {
          const num = dots.reduce((a, d, i) => a + d * changes[i], 0);
          const den = dots.reduce((a, d) => a + d * d, 0);
          beta = den > 0 ? num / den : 0;
        }
        scores.push(dots.reduce((a, d, i) => a + (beta * d - changes[i]) ** 2, 0) / samples);
      }
      return metricResult("infidelity", scores, {});
    } finally {
      m.x.dispose();
    }
  });
}
