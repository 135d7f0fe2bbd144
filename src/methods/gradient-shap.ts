import * as tf from "@tensorflow/tfjs";
import type { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { mulberry32, normals } from "../core/random";
import { assertPositiveInt } from "../model/validate";
import { autoBatchSize } from "./batching";
import { checkBaselines, perExampleMean } from "./deep-lift";
import { explain, TargetOptions } from "./explain";
import { inputGradient } from "./gradients";

export interface GradientShapOptions extends TargetOptions {
  /** The baseline distribution, as samples [N, ...example shape]; a number or one example-shaped tensor is a single baseline (default 0). */
  baselines?: number | tf.Tensor;
  /** Random (baseline, path point, noise) draws per example (default 50). */
  samples?: number;
  /** Standard deviation of Gaussian noise added to the input in each draw, in input units (default 0). */
  stdev?: number;
  /** Draws per backward pass (default: sized to fit memory). */
  batchSize?: number;
  seed?: number;
}

/**
 * GradientShap (Lundberg & Lee 2017; Captum's GradientShap): the expected value of
 * ∇F(b + α(x̃ − b)) ⊙ (x̃ − b) over baselines b drawn from the given ones, α ~ U(0, 1) and x̃ = x + noise.
 * Seeded. Without noise its expectation is the mean of integrated gradients from each baseline.
 */
export async function gradientShap(model: Model, input: tf.Tensor, options: GradientShapOptions = {}): Promise<Attribution> {
  return explain("gradientShap", model, input, options, async ({ model, x, target, rowsFor, work }) => {
    const samples = options.samples ?? 50;
    assertPositiveInt(samples, "samples");
    const stdev = options.stdev ?? 0;
    if (typeof stdev !== "number" || !(stdev >= 0) || !Number.isFinite(stdev))
      fail(`stdev must be a finite number ≥ 0; got ${stdev}.`);
    if (options.batchSize !== undefined) assertPositiveInt(options.batchSize, "batchSize");
    const item = x.shape.slice(1);
    const given = options.baselines ?? 0;
    const baselines = work.tidy(() =>
      typeof given === "number"
        ? Number.isFinite(given)
          ? tf.fill([1, ...item], given)
          : fail(`baselines must be a finite number or a tensor; got ${given}.`)
        : given instanceof tf.Tensor && given.shape.join() === item.join()
          ? tf.expandDims(given, 0)
          : tf.clone(checkBaselines(given, x)),
    );
    const count = baselines.shape[0];
    const size = item.reduce((a, b) => a * b, 1);
    const random = mulberry32(options.seed ?? 0);
    const batchSize = options.batchSize ?? autoBatchSize(model, samples);
    work.plan(x.shape[0] * samples, "samples");
    {
      return await perExampleMean(
        x,
        samples,
        batchSize,
        work,
        (e, start, end) => {
          const n = end - start;
          const picks = Array.from({ length: n }, () => Math.min(count - 1, Math.floor(random() * count)));
          const alphas = Array.from({ length: n }, () => random());
          const noise = stdev > 0 ? normals(n * size, random) : null;
          const b = tf.gather(baselines, picks);
          let xs = tf.tile(tf.slice(x, e, 1), [n, ...new Array(item.length).fill(1)]);
          if (noise) xs = tf.add(xs, tf.mul(tf.tensor(noise, [n, ...item]), stdev));
          const diff = tf.sub(xs, b);
          const a = tf.tensor(alphas, [n, ...new Array(item.length).fill(1)]);
          const g = inputGradient(model, tf.add(b, tf.mul(a, diff)), target.score, rowsFor(e, n));
          return tf.mul(g, diff);
        },
        () => ({ samples, stdev, baselines: count, seed: options.seed ?? 0 }),
      );
    }
  });
}
