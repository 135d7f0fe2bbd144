import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution, Target } from "../attribution";
import { mulberry32 } from "../core/random";
import { fail } from "../errors";
import { assertPositiveInt } from "../model/validate";
import { modelInput } from "./model-input";
import { metricResult, MetricResult } from "./result";
import { RunOptions, withWork } from "../core/work";

type Method = (model: Model, input: tf.Tensor, options?: Record<string, unknown>) => Promise<Attribution>;

export interface MaxSensitivityOptions extends RunOptions {
  target?: Target;
  /** Perturbed inputs (default 10, as Captum). */
  samples?: number;
  /** Each input value moves by up to ± radius, uniformly (default 0.02, as Captum). */
  radius?: number;
  /** Options for the method (its target is fixed to the unperturbed input's). */
  methodOptions?: Record<string, unknown>;
  /** Divide by ‖Φ(x)‖ so maps of different scales compare (default false, as Captum). */
  normalize?: boolean;
  seed?: number;
}

/**
 * Max-sensitivity (Yeh et al. 2019, Captum's sensitivity_max): the largest Frobenius norm
 * ‖Φ(x + δ) − Φ(x)‖ over `samples` uniform perturbations |δ| ≤ radius, per example, recomputing the
 * explanation with `method` (e.g. dv.saliency). The target stays the class explained at x.
 */
export async function maxSensitivity(
  model: unknown,
  input: unknown,
  method: Method,
  options: MaxSensitivityOptions = {},
): Promise<MetricResult> {
  if (typeof method !== "function")
    fail("maxSensitivity recomputes the explanation, so its third argument is a method such as dv.saliency.");
  const samples = options.samples ?? 10;
  assertPositiveInt(samples, "samples");
  const radius = options.radius ?? 0.02;
  if (!(Number.isFinite(radius) && radius > 0)) fail(`radius must be a positive number; got ${radius}.`);
  return withWork("maxSensitivity", options, async (work) => {
    work.throwIfAborted();
    const m = await modelInput(model, input, { target: options.target });
    try {
      const { x } = m;
      const batch = x.shape[0];
      const target = m.target.classes ?? options.target;
      const run = async (xs: tf.Tensor) => {
        const a = await method(m.model, xs, { progress: false, ...options.methodOptions, target }); // one bar for the metric, not one per map
        try {
          return tf.tidy(() => tf.reshape(a.values, [batch, -1]).dataSync() as Float32Array);
        } finally {
          a.dispose();
        }
      };
      const base = await run(x);
      const per = base.length / batch;
      const norms = Array.from({ length: batch }, (_, e) =>
        Math.sqrt(base.subarray(e * per, (e + 1) * per).reduce((a, v) => a + v * v, 0)),
      );
      const worst = new Array(batch).fill(0);
      const random = mulberry32(options.seed ?? 0);
      work.plan(samples, "explanations");
      const size = x.size;
      for (let s = 0; s < samples; s++) {
        const delta = Float32Array.from({ length: size }, () => (2 * random() - 1) * radius);
        const moved = tf.tidy(() => tf.add(x, tf.tensor(delta, x.shape)));
        let phi: Float32Array;
        try {
          phi = await run(moved);
        } finally {
          moved.dispose();
        }
        for (let e = 0; e < batch; e++) {
          let d = 0;
          for (let i = e * per; i < (e + 1) * per; i++) d += (phi[i] - base[i]) ** 2;
          worst[e] = Math.max(worst[e], Math.sqrt(d));
        }
        await work.step();
      }
      const scores = worst.map((v, e) => (options.normalize ? (norms[e] > 0 ? v / norms[e] : 0) : v));
      return metricResult("maxSensitivity", scores, {});
    } finally {
      m.x.dispose();
    }
  });
}
