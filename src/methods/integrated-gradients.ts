import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { assertPositiveInt } from "../model/validate";
import { autoBatchSize } from "./batching";
import { explain, TargetOptions } from "./explain";
import { inputGradient, scores } from "./gradients";
import { IntegrationMethod, quadrature } from "./quadrature";

export interface IntegratedGradientsOptions extends TargetOptions {
  /** Number of points on the path (default 50). */
  steps?: number;
  /** Quadrature rule (default "gausslegendre", as in Captum). */
  method?: IntegrationMethod;
  /** Starting point: a number (filled) or a tensor shaped like one example or like the input (default 0). */
  baseline?: number | tf.Tensor;
  /** Path points per forward/backward pass (default: sized to fit memory). */
  batchSize?: number;
}

/**
 * Integrated gradients (Sundararajan et al.): (x − x′) × ∫₀¹ ∇F(x′ + α(x − x′)) dα. `info.delta` is the
 * completeness residual per example: Σ attributions − (F(x) − F(x′)).
 */
export async function integratedGradients(model: Model, input: tf.Tensor,
  options: IntegratedGradientsOptions = {}): Promise<Attribution> {
  const steps = options.steps ?? 50;
  assertPositiveInt(steps, "steps");
  if (options.batchSize !== undefined) assertPositiveInt(options.batchSize, "batchSize");
  const { alphas, weights } = quadrature(options.method ?? "gausslegendre", steps);
  return explain("integratedGradients", model, input, options, async ({ model, x, target, rowsFor, work }) => {
    const baseline = work.tidy(() => tf.clone(baselineLike(options.baseline ?? 0, x)));
    const batchSize = options.batchSize ?? autoBatchSize(model, steps);
    work.plan(x.shape[0] * steps, "steps");
    const perExample: tf.Tensor[] = [];
    const delta: number[] = [];
    for (let e = 0; e < x.shape[0]; e++) {
      const [xe, be, diff] = work.tidy(() => {
        const xe = tf.slice(x, e, 1);
        const be = tf.slice(baseline, e, 1);
        return [xe, be, tf.sub(xe, be)];
      });
      let sum = work.tidy(() => tf.zerosLike(xe));
      for await (const [start, end] of work.chunks(steps, batchSize)) {
        const next = work.tidy(() => {
          const a = tf.tensor(alphas.slice(start, end), [end - start, ...new Array(x.rank - 1).fill(1)]);
          const w = tf.tensor(weights.slice(start, end), a.shape);
          const points = tf.add(be, tf.mul(a, diff));
          const g = inputGradient(model, points, target.score, rowsFor(e, end - start));
          return tf.add(sum, tf.sum(tf.mul(g, w), 0, true));
        });
        work.free(sum);
        sum = next;
      }
      const attribution = work.tidy(() => tf.mul(sum, diff));
      const ends = tf.tidy(() => scores(model, tf.concat([xe, be]), target.score, rowsFor(e, 2)).dataSync());
      delta.push(tf.tidy(() => tf.sum(attribution).dataSync()[0]) - (ends[0] - ends[1]));
      work.free(xe, be, diff, sum);
      perExample.push(attribution);
    }
    return { values: work.tidy(() => tf.concat(perExample)), info: { delta, steps, method: options.method ?? "gausslegendre", batchSize } };
  });
}

function baselineLike(baseline: number | tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (typeof baseline === "number") {
    if (!Number.isFinite(baseline)) fail(`baseline must be a finite number; got ${baseline}.`);
    return tf.fill(x.shape, baseline);
  }
  if (!(baseline instanceof tf.Tensor)) fail("baseline must be a number or a tf.Tensor.");
  const item = x.shape.slice(1);
  if (baseline.shape.join() === item.join()) return tf.add(tf.zerosLike(x), baseline);
  if (baseline.shape.join() === x.shape.join()) return baseline;
  return fail(`baseline has shape [${baseline.shape.join(", ")}]; expected [${item.join(", ")}] (one example) or [${x.shape.join(", ")}] (the batch).`);
}
