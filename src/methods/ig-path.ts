/**
 * The straight path integrated gradients follows, x′ + α(x − x′), and the gradients at its points in
 * batched passes: what every way of choosing the points (a fixed rule, a refined one, an adaptive one)
 * shares.
 */
import * as tf from "@tensorflow/tfjs";
import { baselineLike } from "./baseline";
import { Context } from "./explain";
import { scoredInputGradient, scores } from "./gradients";

export interface Path {
  /** x′ and x − x′, shaped like the input batch (kept by the work). */
  baseline: tf.Tensor;
  diff: tf.Tensor;
  /** F(x) − F(x′) per example. */
  change: number[];
}

export function straightPath({ model, x, target, rowsFor, work }: Context, baselineOption: number | tf.Tensor): Path {
  const baseline = work.tidy(() => tf.clone(baselineLike(baselineOption, x)));
  const diff = work.tidy(() => tf.sub(x, baseline));
  // one example at a time: a forward pass of the whole batch would hold all its activations
  const change = Array.from({ length: x.shape[0] }, (_, e) =>
    tf.tidy(() => {
      const ends = scores(
        model,
        tf.concat([tf.slice(x, e, 1), tf.slice(baseline, e, 1)]),
        target.score,
        rowsFor(e, 2),
      ).dataSync();
      return ends[0]! - ends[1]!;
    }),
  );
  return { baseline, diff, change };
}

/** One point of an example's path. */
export interface PathPoint {
  example: number;
  alpha: number;
}

/** Consecutive points of one example within a pass: points[from, from + count) are rows [row, row + count). */
export interface Segment {
  example: number;
  from: number;
  count: number;
  row: number;
}

export interface PathPass {
  segments: Segment[];
  /** ∇F at the pass's points, one row each (kept by the work: the caller frees it). */
  gradient: tf.Tensor;
  /** F at the pass's points. */
  scores: Float32Array;
}

/**
 * The gradients and scores at `points`, in passes of at most `batchSize` rows (progress and abort
 * between them, see Work.chunks). Points of one example should be adjacent: each run becomes one segment.
 */
export async function* gradientsAlong(
  { model, target, rowsFor, work }: Context,
  path: Path,
  points: PathPoint[],
  batchSize: number,
): AsyncGenerator<PathPass> {
  const unit = new Array(path.diff.rank - 1).fill(1);
  for await (const [start, end] of work.chunks(points.length, batchSize)) {
    const segments: Segment[] = [];
    for (let i = start; i < end; i++) {
      const last = segments[segments.length - 1];
      if (last && last.example === points[i]!.example) last.count++;
      else segments.push({ example: points[i]!.example, from: i, count: 1, row: i - start });
    }
    const pass = work.tidy(() => {
      const at = tf.concat(
        segments.map(({ example, from, count }) => {
          const a = tf.tensor(
            points.slice(from, from + count).map((p) => p.alpha),
            [count, ...unit],
          );
          return tf.add(tf.slice(path.baseline, example, 1), tf.mul(a, tf.slice(path.diff, example, 1)));
        }),
      );
      const rows = segments.flatMap(({ example, count }) => rowsFor(example, count));
      return scoredInputGradient(model, at, target.score, rows);
    });
    const values = pass.scores.dataSync() as Float32Array;
    work.free(pass.scores);
    yield { segments, gradient: pass.gradient, scores: values };
  }
}
