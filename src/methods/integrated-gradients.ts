import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { assertPositiveInt, optionsObject } from "../model/validate";
import { autoBatchSize } from "./batching";
import { explain, TargetOptions } from "./explain";
import { inputGradient, scores } from "./gradients";
import { IntegrationMethod, quadrature, Refinement, refine, refinedSize } from "./quadrature";

/** Past this, the quadrature error is far below float32 noise: more steps only cost time (long runs below it show progress and can be aborted). */
export const MAX_STEPS = 100_000;

/**
 * The rule IG uses unless told: with a tolerance the one that reaches it with the fewest gradients on
 * the zoo's CNNs (bench/ig-accuracy.ts: the trapezoid, whose refinements reuse every point; the
 * midpoint's need ~10 % more, Gauss–Legendre's ~2× as it cannot reuse them); with a fixed number of
 * steps the midpoint rule, which never evaluates the path's ends, where a zero baseline sits on every
 * ReLU's kink (gradient 0) and costs the trapezoid a bias of half a step.
 */
export function defaultMethod(tolerance: number | undefined): IntegrationMethod {
  return tolerance === undefined ? "riemann_middle" : "riemann_trapezoid";
}

export interface IntegratedGradientsOptions extends TargetOptions {
  /** Number of points on the path (default 50); with `tolerance`, the first try (default 4). */
  steps?: number;
  /** Quadrature rule (default: "riemann_middle", or with a tolerance "riemann_trapezoid"; see defaultMethod). */
  method?: IntegrationMethod;
  /** Starting point: a number (filled) or a tensor shaped like one example or like the input (default 0). */
  baseline?: number | tf.Tensor;
  /** Path points per forward/backward pass (default: sized to fit memory). */
  batchSize?: number;
  /**
   * Choose the steps per example: refine the rule from `steps` (the trapezoid's intervals and the
   * Riemann sums' steps double, the midpoint's triple, each reusing the points it has; Gauss–Legendre
   * doubles afresh) until the completeness residual |Σ attributions − (F(x) − F(x′))| is at most
   * `tolerance` × |F(x) − F(x′)| (e.g. 0.01 for 1 %), or no refinement fits in `maxSteps`. The examples
   * still short of it share each pass. `info.steps` then lists the steps each example needed,
   * `info.gradientEvaluations` the points evaluated, and `info.converged` whether it met the tolerance.
   */
  tolerance?: number;
  /** The most steps a tolerance may take per example (default 1024): the last try is the finest refinement within it. */
  maxSteps?: number;
}

/**
 * Integrated gradients (Sundararajan et al.): (x − x′) × ∫₀¹ ∇F(x′ + α(x − x′)) dα. `info.delta` is the
 * completeness residual per example: Σ attributions − (F(x) − F(x′)). With `tolerance`, each example
 * gets as many steps as it needs (refining the rule), which completeness lets us check for free.
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
  const method = options.method ?? defaultMethod(tolerance);
  const first: Refinement = { steps, keep: 0, ...quadrature(method, steps) }; // checks the rule's name and minimum steps
  // the tries of a tolerance: each refines the one before (reusing its points where the rule nests), up
  // to the finest refinement within maxSteps; their points are computed when a try is reached
  const schedule = [{ steps, added: steps }];
  while (tolerance !== undefined) {
    const next = refinedSize(method, schedule[schedule.length - 1]!.steps);
    if (next.steps > maxSteps) break;
    schedule.push(next);
  }
  const budget = schedule.reduce((a, t) => a + t.added, 0);
  const largest = Math.max(...schedule.map((t) => t.added));
  return explain("integratedGradients", model, input, options, async ({ model, x, target, rowsFor, work }) => {
    const count = x.shape[0];
    const baseline = work.tidy(() => tf.clone(baselineLike(options.baseline ?? 0, x)));
    const batchSize = options.batchSize ?? autoBatchSize(model, count * largest);
    work.plan(count * budget, "steps");
    const diff = work.tidy(() => tf.sub(x, baseline));
    const examples = Array.from({ length: count }, (_, e) => ({
      // F(x) − F(x′), one example at a time (a forward pass of the whole batch would hold all its activations)
      change: tf.tidy(() => {
        const ends = scores(
          model,
          tf.concat([tf.slice(x, e, 1), tf.slice(baseline, e, 1)]),
          target.score,
          rowsFor(e, 2),
        ).dataSync();
        return ends[0]! - ends[1]!;
      }),
      sum: undefined as tf.Tensor | undefined, // the current rule's Σ wᵢ ∇F(αᵢ), [1, ...item]
      attribution: undefined as tf.Tensor | undefined,
      delta: NaN,
      steps: 0,
      spent: 0,
      met: false,
    }));
    const met = (e: (typeof examples)[number]) => Math.abs(e.delta) <= (tolerance ?? Infinity) * Math.abs(e.change);
    const unit = new Array(x.rank - 1).fill(1);
    for (let t = 0; t < schedule.length; t++) {
      // the examples still short of the tolerance share each pass: more points per pass cost less per point
      const open = examples.map((_, e) => e).filter((e) => !examples[e]!.met);
      if (open.length === 0) break;
      const { steps: n, keep, alphas, weights } = t === 0 ? first : refine(method, schedule[t - 1]!.steps);
      for (const e of open) {
        const ex = examples[e]!;
        const scaled = work.tidy(() => (ex.sum && keep ? tf.mul(ex.sum, keep) : tf.zerosLike(tf.slice(x, e, 1))));
        if (ex.sum) work.free(ex.sum);
        ex.sum = scaled;
      }
      const per = alphas.length;
      for await (const [start, end] of work.chunks(open.length * per, batchSize)) {
        // rows start..end: point (k mod per) of example open[⌊k / per⌋]
        const segments: Array<{ e: number; from: number; to: number }> = [];
        for (let k = start; k < end;) {
          const e = open[Math.floor(k / per)]!;
          const to = Math.min(end, (Math.floor(k / per) + 1) * per);
          segments.push({ e, from: k % per, to: to - Math.floor(k / per) * per });
          k = to;
        }
        const sums = work.tidy(() => {
          const points = tf.concat(
            segments.map(({ e, from, to }) => {
              const a = tf.tensor(alphas.slice(from, to), [to - from, ...unit]);
              return tf.add(tf.slice(baseline, e, 1), tf.mul(a, tf.slice(diff, e, 1)));
            }),
          );
          const rows = segments.flatMap(({ e, from, to }) => rowsFor(e, to - from));
          const g = inputGradient(model, points, target.score, rows);
          let offset = 0;
          return segments.map(({ e, from, to }) => {
            const w = tf.tensor(weights.slice(from, to), [to - from, ...unit]);
            const part = tf.slice(g, offset, to - from);
            offset += to - from;
            return tf.add(examples[e]!.sum!, tf.sum(tf.mul(part, w), 0, true));
          });
        });
        segments.forEach(({ e }, i) => {
          work.free(examples[e]!.sum!);
          examples[e]!.sum = sums[i]!;
        });
      }
      for (const e of open) {
        const ex = examples[e]!;
        ex.spent += per;
        if (ex.attribution) work.free(ex.attribution);
        ex.attribution = work.tidy(() => tf.mul(ex.sum!, tf.slice(diff, e, 1)));
        ex.delta = tf.tidy(() => tf.sum(ex.attribution!).dataSync()[0]!) - ex.change;
        ex.steps = n;
        ex.met = tolerance !== undefined && met(ex);
      }
    }
    // progress counts the whole budget of every example, also those that converged early
    const unspent = examples.reduce((a, ex) => a + budget - ex.spent, 0);
    if (unspent > 0) await work.step(unspent);
    const values = work.tidy(() => tf.concat(examples.map((ex) => ex.attribution!)));
    work.free(
      diff,
      baseline,
      ...examples.flatMap((ex) => [ex.sum, ex.attribution]).filter((t): t is tf.Tensor => t !== undefined),
    );
    const delta = examples.map((ex) => ex.delta);
    const info =
      tolerance === undefined
        ? { delta, steps, method, batchSize }
        : {
            delta,
            steps: examples.map((ex) => ex.steps),
            converged: examples.map((ex) => ex.met),
            gradientEvaluations: examples.map((ex) => ex.spent),
            tolerance,
            maxSteps,
            method,
            batchSize,
          };
    return { values, info };
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
