import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { assertPositiveInt, optionsObject } from "../model/validate";
import { autoBatchSize } from "./batching";
import { explain, TargetOptions } from "./explain";
import { inputGradient, scores } from "./gradients";
import { IntegrationMethod, quadrature, Refinement, refine } from "./quadrature";

/** Past this, the quadrature error is far below float32 noise: more steps only cost time (long runs below it show progress and can be aborted). */
export const MAX_STEPS = 100_000;

export interface IntegratedGradientsOptions extends TargetOptions {
  /** Number of points on the path (default 50); with `tolerance`, the first try (default 4). */
  steps?: number;
  /** Quadrature rule (default "gausslegendre", as in Captum). */
  method?: IntegrationMethod;
  /** Starting point: a number (filled) or a tensor shaped like one example or like the input (default 0). */
  baseline?: number | tf.Tensor;
  /** Path points per forward/backward pass (default: sized to fit memory). */
  batchSize?: number;
  /**
   * Choose the steps per example: double them from `steps` until the completeness residual
   * |Σ attributions − (F(x) − F(x′))| is at most `tolerance` × |F(x) − F(x′)| (e.g. 0.01 for 1 %), or
   * `maxSteps` is reached. `info.steps` then lists the steps each example needed and `info.converged`
   * whether it met the tolerance.
   */
  tolerance?: number;
  /** The most steps a tolerance may take per example (default 1024). */
  maxSteps?: number;
}

/**
 * Integrated gradients (Sundararajan et al.): (x − x′) × ∫₀¹ ∇F(x′ + α(x − x′)) dα. `info.delta` is the
 * completeness residual per example: Σ attributions − (F(x) − F(x′)). With `tolerance`, each example
 * gets as many steps as it needs (doubling), which completeness lets us check for free.
 */
export async function integratedGradients(
  model: Model,
  input: tf.Tensor,
  options?: IntegratedGradientsOptions,
): Promise<Attribution> {
  options = optionsObject(options, "integratedGradients");
  const tolerance = options.tolerance;
  if (tolerance !== undefined && !(Number.isFinite(tolerance) && tolerance > 0)) {
    fail(`tolerance is the largest relative completeness residual, a number > 0 (e.g. 0.01 for 1 %); got ${tolerance}.`);
  }
  const steps = options.steps ?? (tolerance === undefined ? 50 : 4);
  assertPositiveInt(steps, "steps", MAX_STEPS);
  const maxSteps = options.maxSteps ?? Math.max(1024, steps);
  assertPositiveInt(maxSteps, "maxSteps");
  if (maxSteps < steps) fail(`maxSteps (${maxSteps}) is below the first try's steps (${steps}); raise maxSteps or lower steps.`);
  if (options.batchSize !== undefined) assertPositiveInt(options.batchSize, "batchSize");
  const method = options.method ?? "gausslegendre";
  // the tries of a tolerance, each refining the one before (reusing its points where the rule nests),
  // up to maxSteps; a refinement past maxSteps is replaced by a fresh rule of maxSteps points
  const tries: Refinement[] = [{ steps, keep: 0, ...quadrature(method, steps) }]; // checks the rule's name and minimum steps first
  while (tolerance !== undefined && tries[tries.length - 1]!.steps < maxSteps) {
    const next = refine(method, tries[tries.length - 1]!.steps);
    tries.push(next.steps <= maxSteps ? next : { steps: maxSteps, keep: 0, ...quadrature(method, maxSteps) });
  }
  const budget = tries.reduce((a, t) => a + t.alphas.length, 0);
  const largest = Math.max(...tries.map((t) => t.alphas.length));
  return explain("integratedGradients", model, input, options, async ({ model, x, target, rowsFor, work }) => {
    const baseline = work.tidy(() => tf.clone(baselineLike(options.baseline ?? 0, x)));
    const batchSize = options.batchSize ?? autoBatchSize(model, largest);
    work.plan(x.shape[0] * budget, "steps");
    const perExample: tf.Tensor[] = [];
    const delta: number[] = [],
      used: number[] = [],
      converged: boolean[] = [],
      evaluations: number[] = [];
    for (let e = 0; e < x.shape[0]; e++) {
      const [xe, be, diff] = work.tidy(() => {
        const xe = tf.slice(x, e, 1);
        const be = tf.slice(baseline, e, 1);
        return [xe, be, tf.sub(xe, be)];
      });
      const ends = tf.tidy(() => scores(model, tf.concat([xe, be]), target.score, rowsFor(e, 2)).dataSync());
      const change = ends[0] - ends[1];
      let spent = 0;
      let best: { attribution: tf.Tensor; delta: number; steps: number } | undefined;
      let sum: tf.Tensor | undefined; // the current rule's Σ wᵢ ∇F(αᵢ)
      for (const { steps: n, keep, alphas, weights } of tries) {
        let next = work.tidy(() => (sum && keep ? tf.mul(sum, keep) : tf.zerosLike(xe)));
        if (sum) work.free(sum);
        for await (const [start, end] of work.chunks(alphas.length, batchSize)) {
          const added = work.tidy(() => {
            const a = tf.tensor(alphas.slice(start, end), [end - start, ...new Array(x.rank - 1).fill(1)]);
            const w = tf.tensor(weights.slice(start, end), a.shape);
            const points = tf.add(be, tf.mul(a, diff));
            const g = inputGradient(model, points, target.score, rowsFor(e, end - start));
            return tf.add(next, tf.sum(tf.mul(g, w), 0, true));
          });
          work.free(next);
          next = added;
        }
        sum = next;
        spent += alphas.length;
        const attribution = work.tidy(() => tf.mul(sum!, diff));
        const residual = tf.tidy(() => tf.sum(attribution).dataSync()[0]) - change;
        if (best) work.free(best.attribution);
        best = { attribution, delta: residual, steps: n };
        if (tolerance === undefined || Math.abs(residual) <= tolerance * Math.abs(change)) break;
      }
      if (sum) work.free(sum);
      // progress counts the whole budget of an example, also when it converged early
      if (spent < budget) await work.step(budget - spent);
      work.free(xe, be, diff);
      perExample.push(best!.attribution);
      delta.push(best!.delta);
      used.push(best!.steps);
      evaluations.push(spent);
      converged.push(tolerance === undefined || Math.abs(best!.delta) <= tolerance * Math.abs(change));
    }
    const info =
      tolerance === undefined
        ? { delta, steps, method, batchSize }
        : { delta, steps: used, converged, gradientEvaluations: evaluations, tolerance, maxSteps, method, batchSize };
    return { values: work.tidy(() => tf.concat(perExample)), info };
  });
}

export function baselineLike(baseline: number | tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (typeof baseline === "number") {
    if (!Number.isFinite(baseline)) fail(`baseline must be a finite number; got ${baseline}.`);
    return tf.fill(x.shape, baseline);
  }
  if (!(baseline instanceof tf.Tensor)) fail("baseline must be a number or a tf.Tensor.");
  const item = x.shape.slice(1);
  if (baseline.shape.join() === item.join()) return tf.tidy(() => tf.add(tf.zerosLike(x), baseline));
  if (baseline.shape.join() === x.shape.join()) return baseline;
  return fail(
    `baseline has shape [${baseline.shape.join(", ")}]; expected [${item.join(", ")}] (one example) or [${x.shape.join(", ")}] (the batch).`,
  );
}
