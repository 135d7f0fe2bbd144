/**
 * The trapezoid rule refined where it errs. Each interval [a, b] of an example's path has a completeness
 * residual of its own, r = F(b) − F(a) − (b − a)(s(a) + s(b))/2 with s(α) = ∇F(α)·(x − x′), known from
 * the scores and gradients at its ends; the intervals' residuals sum to the example's. Each round halves
 * the intervals that hold most of Σ|r| (where ReLUs switch along the path), so the points go where the
 * integrand changes: on the zoo's CNNs about half the points of halving every interval (bench/ig-accuracy.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { Context } from "./explain";
import { gradientsAlong, Path, PathPoint } from "./ig-path";
import { quadrature } from "./quadrature";

/** Share of Σ|r| whose intervals a round halves: 0.5 needs more, smaller passes; 0.9 more points (32 images of shapes_cnn and shapes_vgg). */
const SPLIT_SHARE = 0.7;
/** Intervals this short are left whole: float32 points this close are the same input. */
const MIN_WIDTH = 2 ** -20;
/** Kept gradients of the examples refined together stay within this (examples beyond it wait their turn). */
const KEPT_BYTES = 2 ** 30;

export interface AdaptiveResult {
  /** (x − x′) × Σ wᵢ ∇F(αᵢ), [1, ...item], kept by the work. */
  attribution: tf.Tensor;
  /** The path points, ascending (their count is the steps and the gradients evaluated). */
  alphas: number[];
  /** Gradients evaluated: one per point. */
  evaluations: number;
  met: boolean;
}

interface PathNode {
  alpha: number;
  score: number;
  /** ∇F(α)·(x − x′): the integrand of the residual. */
  slope: number;
  /** ∇F(α), [1, ...item], kept by the work until the example is done. */
  gradient: tf.Tensor;
}

export async function adaptiveTrapezoid(
  ctx: Context,
  path: Path,
  options: { steps: number; tolerance: number; maxSteps: number; batchSize: number },
): Promise<AdaptiveResult[]> {
  const { work } = ctx;
  const count = ctx.x.shape[0];
  const itemBytes = (path.diff.size / count) * 4;
  const group = Math.max(1, Math.floor(KEPT_BYTES / (options.maxSteps * itemBytes)));
  const results: AdaptiveResult[] = [];
  const first = quadrature("riemann_trapezoid", options.steps).alphas;
  for (let start = 0; start < count; start += group) {
    const nodes = new Map<number, PathNode[]>();
    const examples = Array.from({ length: Math.min(group, count - start) }, (_, i) => start + i);
    let todo: PathPoint[] = examples.flatMap((example) => first.map((alpha) => ({ example, alpha })));
    while (todo.length > 0) {
      for await (const pass of gradientsAlong(ctx, path, todo, options.batchSize)) {
        for (const { example, from, count: n, row } of pass.segments) {
          const { slopes, gradients } = work.tidy(() => {
            const g = tf.slice(pass.gradient, row, n);
            const axes = Array.from({ length: g.rank - 1 }, (_, i) => i + 1);
            const slopes = tf.sum(tf.mul(g, tf.slice(path.diff, example, 1)), axes);
            return { slopes, gradients: tf.split(g, n) };
          });
          const s = slopes.dataSync();
          work.free(slopes);
          const list = nodes.get(example) ?? [];
          for (let i = 0; i < n; i++)
            list.push({ alpha: todo[from + i]!.alpha, score: pass.scores[row + i]!, slope: s[i]!, gradient: gradients[i]! });
          nodes.set(example, list);
        }
        work.free(pass.gradient);
      }
      const next: PathPoint[] = [];
      for (const example of new Set(todo.map((p) => p.example))) {
        const list = nodes.get(example)!.sort((p, q) => p.alpha - q.alpha);
        const split = intervalsToSplit(list, path.change[example]!, options.tolerance, options.maxSteps);
        if (split.length > 0) {
          for (const i of split) next.push({ example, alpha: (list[i]!.alpha + list[i + 1]!.alpha) / 2 });
          continue;
        }
        results[example] = finish(ctx, path, example, list, met(list, path.change[example]!, options.tolerance));
      }
      todo = next;
    }
  }
  return results;
}

/** The trapezoid's estimate of F(x) − F(x′) from the slopes, and each interval's residual. */
function residuals(list: PathNode[]): { estimate: number; r: number[] } {
  let estimate = 0;
  const r: number[] = [];
  for (let i = 0; i + 1 < list.length; i++) {
    const [a, b] = [list[i]!, list[i + 1]!];
    const part = ((b.alpha - a.alpha) * (a.slope + b.slope)) / 2;
    estimate += part;
    r.push(b.score - a.score - part);
  }
  return { estimate, r };
}

function met(list: PathNode[], change: number, tolerance: number): boolean {
  return Math.abs(residuals(list).estimate - change) <= tolerance * Math.abs(change);
}

/**
 * Indices of the intervals [list[i], list[i + 1]] to halve: none when the tolerance is met or no point
 * fits in maxSteps; else, largest |r| first, those that hold SPLIT_SHARE of Σ|r|.
 */
function intervalsToSplit(list: PathNode[], change: number, tolerance: number, maxSteps: number): number[] {
  if (met(list, change, tolerance)) return [];
  const { r } = residuals(list);
  const order = r
    .map((v, i) => ({ i, size: Math.abs(v) }))
    .filter(({ i }) => list[i + 1]!.alpha - list[i]!.alpha > MIN_WIDTH)
    .sort((p, q) => q.size - p.size);
  const total = order.reduce((a, o) => a + o.size, 0);
  const room = maxSteps - list.length;
  const split: number[] = [];
  let held = 0;
  for (const { i, size } of order) {
    if (split.length >= room || (held >= SPLIT_SHARE * total && split.length > 0)) break;
    split.push(i);
    held += size;
  }
  return split;
}

/** (x − x′) × Σ wᵢ ∇F(αᵢ) with the trapezoid's weights on the uneven points; frees the points' gradients. */
function finish(ctx: Context, path: Path, example: number, list: PathNode[], met: boolean): AdaptiveResult {
  const alphas = list.map((n) => n.alpha);
  const weight = (i: number) => (alphas[Math.min(i + 1, alphas.length - 1)]! - alphas[Math.max(i - 1, 0)]!) / 2;
  const attribution = ctx.work.tidy(() =>
    tf.mul(tf.addN(list.map((n, i) => tf.mul(n.gradient, weight(i)))), tf.slice(path.diff, example, 1)),
  );
  ctx.work.free(...list.map((n) => n.gradient));
  return { attribution, alphas, evaluations: alphas.length, met };
}
