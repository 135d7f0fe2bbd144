import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { assertPositiveInt, optionsObject } from "../model/validate";
import { autoBatchSize } from "./batching";
import { Context, explain, TargetOptions } from "./explain";
import { adaptiveTrapezoid } from "./ig-adaptive";
import { gradientsAlong, Path, straightPath } from "./ig-path";
import { IntegrationMethod, quadrature, Refinement, refine, refinedSize } from "./quadrature";

/** Past this, the quadrature error is far below float32 noise: more steps only cost time (long runs below it show progress and can be aborted). */
export const MAX_STEPS = 100_000;

/**
 * The rule IG uses unless told: with a tolerance the one that reaches it with the fewest gradients on
 * the zoo's CNNs (bench/ig-accuracy.ts: the trapezoid, refined adaptively, as each of its intervals knows
 * its own residual; the uniformly refined rules need about twice the points); with a fixed number of
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
   * Choose the steps per example: refine the rule from `steps` until the completeness residual
   * |Σ attributions − (F(x) − F(x′))| is at most `tolerance` × |F(x) − F(x′)| (e.g. 0.01 for 1 %), or no
   * refinement fits in `maxSteps`. The trapezoid (the default) halves the intervals whose own residual
   * F(b) − F(a) − ∫ₐᵇ is largest (`info.alphas`: each example's points; each point's gradient is kept until
   * its example is done); the Riemann sums' steps double, the midpoint's triple, each reusing the points it
   * has; Gauss–Legendre doubles afresh. The examples still short of it share each pass. `info.steps` then
   * lists the steps each example needed, `info.gradientEvaluations` the points evaluated, and
   * `info.converged` whether it met the tolerance.
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
  const adaptive = tolerance !== undefined && method === "riemann_trapezoid";
  const schedule = [{ steps, added: steps }];
  while (tolerance !== undefined && !adaptive) {
    const next = refinedSize(method, schedule[schedule.length - 1]!.steps);
    if (next.steps > maxSteps) break;
    schedule.push(next);
  }
  // progress counts each example's whole budget, also when it converges early
  const budget = adaptive ? maxSteps : schedule.reduce((a, t) => a + t.added, 0);
  const largest = adaptive ? steps : Math.max(...schedule.map((t) => t.added));
  return explain("integratedGradients", model, input, options, async (ctx) => {
    const { x, work } = ctx;
    const count = x.shape[0];
    const batchSize = options.batchSize ?? autoBatchSize(model, count * largest);
    work.plan(count * budget, "steps");
    const path = straightPath(ctx, options.baseline ?? 0);
    const results = adaptive
      ? await adaptiveTrapezoid(ctx, path, { steps, tolerance: tolerance!, maxSteps, batchSize })
      : await refinedRule(ctx, path, { method, first, schedule, tolerance, batchSize });
    const spent = results.reduce((a, r) => a + r.evaluations, 0);
    if (count * budget > spent) await work.step(count * budget - spent);
    const values = work.tidy(() => tf.concat(results.map((r) => r.attribution)));
    const delta = results.map((r, e) => tf.tidy(() => tf.sum(r.attribution).dataSync()[0]!) - path.change[e]!);
    const info =
      tolerance === undefined
        ? { delta, steps, method, batchSize }
        : {
            delta,
            steps: results.map((r) => r.alphas.length),
            converged: results.map((r) => r.met),
            gradientEvaluations: results.map((r) => r.evaluations),
            ...(adaptive ? { alphas: results.map((r) => r.alphas) } : {}),
            tolerance,
            maxSteps,
            method,
            batchSize,
          };
    return { values, info };
  });
}

interface RuleResult {
  attribution: tf.Tensor;
  alphas: number[];
  evaluations: number;
  met: boolean;
}
/**
 * A rule of fixed steps, or (with a tolerance) refined uniformly from `first` along `schedule`, each try
 * reusing the points of the one before where the rule nests; the examples still short of the tolerance
 * share each pass, as more points per pass cost less per point.
 */
async function refinedRule(
  ctx: Context,
  path: Path,
  options: {
    method: IntegrationMethod;
    first: Refinement;
    schedule: Array<{ steps: number }>;
    tolerance: number | undefined;
    batchSize: number;
  },
): Promise<RuleResult[]> {
  const { x, work } = ctx;
  const { method, tolerance } = options;
  const examples = Array.from({ length: x.shape[0] }, () => ({
    sum: undefined as tf.Tensor | undefined, // the current rule's Σ wᵢ ∇F(αᵢ), [1, ...item]
    attribution: undefined as unknown as tf.Tensor,
    alphas: [] as number[],
    evaluations: 0,
    met: false,
  }));
  for (let t = 0; t < options.schedule.length; t++) {
    const open = examples.map((_, e) => e).filter((e) => !examples[e]!.met);
    if (open.length === 0) break;
    const { steps, keep, alphas, weights } = t === 0 ? options.first : refine(method, options.schedule[t - 1]!.steps);
    for (const e of open) {
      const ex = examples[e]!;
      const scaled = work.tidy(() => (ex.sum && keep ? tf.mul(ex.sum, keep) : tf.zerosLike(tf.slice(x, e, 1))));
      if (ex.sum) work.free(ex.sum);
      ex.sum = scaled;
    }
    const points = open.flatMap((example) => alphas.map((alpha) => ({ example, alpha })));
    for await (const { segments, gradient } of gradientsAlong(ctx, path, points, options.batchSize)) {
      const sums = work.tidy(() =>
        segments.map(({ example, from, count, row }) => {
          const k = from % alphas.length;
          const w = tf.tensor(weights.slice(k, k + count), [count, ...new Array(x.rank - 1).fill(1)]);
          return tf.add(examples[example]!.sum!, tf.sum(tf.mul(tf.slice(gradient, row, count), w), 0, true));
        }),
      );
      segments.forEach(({ example }, i) => {
        work.free(examples[example]!.sum!);
        examples[example]!.sum = sums[i]!;
      });
      work.free(gradient);
    }
    for (const e of open) {
      const ex = examples[e]!;
      ex.evaluations += alphas.length;
      if (ex.attribution) work.free(ex.attribution);
      ex.attribution = work.tidy(() => tf.mul(ex.sum!, tf.slice(path.diff, e, 1)));
      ex.alphas = quadrature(method, steps).alphas;
      const delta = tf.tidy(() => tf.sum(ex.attribution).dataSync()[0]!) - path.change[e]!;
      ex.met = tolerance !== undefined && Math.abs(delta) <= tolerance * Math.abs(path.change[e]!);
    }
  }
  return examples;
}
