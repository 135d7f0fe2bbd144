import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution, AttributionMethod } from "../attribution";
import { fail } from "../errors";
import { assertModel, assertPositiveInt, optionsObject } from "../model/validate";
import { mulberry32, normals } from "../core/random";
import { autoBatchSize } from "./batching";
import { explain, TargetOptions } from "./explain";
import { saliency } from "./saliency";

/** The noise average's error shrinks as 1/√samples: past this it is invisible and only costs time. */
export const MAX_SAMPLES = 100_000;

export interface SmoothGradOptions extends TargetOptions {
  /** The method to smooth (default dv.saliency). */
  method?: AttributionMethod;
  /** Options passed to that method (its target is fixed by SmoothGrad). */
  methodOptions?: Record<string, unknown>;
  /** smoothgrad: mean; smoothgrad_sq: mean of squares; vargrad: variance. Default smoothgrad. */
  kind?: "smoothgrad" | "smoothgrad_sq" | "vargrad";
  /** Noisy copies per example (default 25). */
  samples?: number;
  /** Noise standard deviation: a fraction of each example's value range (default 0.15) or absolute. */
  stdev?: number;
  stdevMode?: "fraction" | "absolute";
  /** Noisy copies per call of the method (default: sized to fit memory). */
  batchSize?: number;
  seed?: number;
}

/** SmoothGrad (Smilkov et al.): the method averaged over noisy copies of the input. */
export async function smoothGrad(model: Model, input: tf.Tensor, options?: SmoothGradOptions): Promise<Attribution> {
  assertModel(model);
  options = optionsObject(options, "smoothGrad");
  const method = options.method ?? saliency;
  if (typeof method !== "function") fail("smoothGrad's method must be an attribution function such as dv.saliency.");
  const kind = options.kind ?? "smoothgrad";
  if (!["smoothgrad", "smoothgrad_sq", "vargrad"].includes(kind))
    fail(`unknown SmoothGrad kind "${kind}"; use smoothgrad, smoothgrad_sq or vargrad.`);
  const samples = options.samples ?? 25;
  assertPositiveInt(samples, "samples", MAX_SAMPLES);
  const stdev = options.stdev ?? 0.15;
  if (!(stdev >= 0) || !Number.isFinite(stdev)) fail(`stdev must be a finite number ≥ 0; got ${stdev}.`);
  if (options.batchSize !== undefined) assertPositiveInt(options.batchSize, "batchSize");
  const batchSize = options.batchSize ?? autoBatchSize(model, samples);
  const random = mulberry32(options.seed ?? 0);

  const name = (method as { name?: string }).name || "custom";
  return explain("smoothGrad", model, input, options, async ({ model, x, target, work }) => {
    const classes = target.classes;
    const itemShape = x.shape.slice(1);
    const itemSize = itemShape.reduce((a, b) => a * b, 1);
    work.plan(x.shape[0] * samples, "samples");
    const results: tf.Tensor[] = [];
    for (let e = 0; e < x.shape[0]; e++) {
      const xe = work.tidy(() => tf.slice(x, e, 1));
      const sigma = options.stdevMode === "absolute" ? stdev : stdev * valueRange(xe);
      let [sum, sumSq] = work.tidy(() => [tf.zeros(itemShape), tf.zeros(itemShape)]);
      for await (const [start, end] of work.chunks(samples, batchSize)) {
        const n = end - start;
        const noisy = work.tidy(() => tf.add(xe, tf.mul(tf.tensor(normals(n * itemSize, random), [n, ...itemShape]), sigma)));
        const targetForBatch = classes ? new Array(n).fill(classes[e]) : options.target;
        // the inner method shows no progress of its own and stops with this one
        const attr = await method(model, noisy, {
          ...options.methodOptions,
          target: targetForBatch,
          progress: false,
          signal: work.signal,
        });
        const next = work.tidy(() => [tf.add(sum, tf.sum(attr.values, 0)), tf.add(sumSq, tf.sum(tf.square(attr.values), 0))]);
        attr.dispose();
        work.free(sum, sumSq, noisy);
        [sum, sumSq] = next;
      }
      results.push(
        work.tidy(() => {
          const mean = tf.div(sum, samples);
          const meanSq = tf.div(sumSq, samples);
          if (kind === "smoothgrad") return mean;
          if (kind === "smoothgrad_sq") return meanSq;
          return tf.relu(tf.sub(meanSq, tf.square(mean))); // variance; relu clears rounding below zero
        }),
      );
      work.free(sum, sumSq, xe);
    }
    return {
      values: work.tidy(() => tf.stack(results)),
      info: { kind, samples, stdev, stdevMode: options.stdevMode ?? "fraction", base: name },
    };
  });
}

function valueRange(x: tf.Tensor): number {
  return tf.tidy(() => tf.sub(tf.max(x), tf.min(x)).dataSync()[0]);
}
