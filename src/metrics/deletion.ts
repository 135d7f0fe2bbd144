import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { assertPositiveInt } from "../model/validate";
import { featureShape, featureValues, MapLike, rankDescending, ranksOf } from "./maps";
import { baselineRow, ModelMetricOptions, modelInput } from "./model-input";
import { metricResult, MetricResult } from "./result";
import { RunOptions, withWork } from "../core/work";

export interface CurveOptions extends ModelMetricOptions, RunOptions {
  /** The pixels go (or come) in this many equal chunks; the curve has steps + 1 points (default 50). */
  steps?: number;
  /** What a removed pixel becomes: a number (default 0) or a tensor like one example or the batch. */
  baseline?: number | tf.Tensor;
}

export interface CurveResult extends MetricResult {
  /** Per example, the area under its curve (the same as `scores`). */
  auc: number[];
  /** Per example, the recorded output after each chunk: steps + 1 values, the first for 0 pixels changed. */
  curve: number[][];
  /** The share of pixels changed at each point of the curve, 0 … 1. */
  fractions: number[];
}

/** Trapezoid area under y over x. */
export function trapezoid(x: number[], y: ArrayLike<number>): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((y[i] + y[i - 1]) / 2) * (x[i] - x[i - 1]);
  return area;
}

/**
 * Deletion (Petsiuk et al. 2018): rank the pixels by the attribution (channels summed), highest first,
 * set them to the baseline in `steps` equal chunks, and record the model's output for the target after
 * each (the class probability for a classifier). A faithful map makes it fall fast: low AUC is good.
 */
export async function deletion(
  model: unknown,
  input: unknown,
  attribution: MapLike,
  options: CurveOptions = {},
): Promise<CurveResult> {
  return perturbationCurve("deletion", model, input, attribution, options);
}

/**
 * Insertion (Petsiuk et al. 2018): start from the baseline and put the pixels back, most relevant
 * first, in `steps` chunks. A faithful map makes the output rise fast: high AUC is good.
 */
export async function insertion(
  model: unknown,
  input: unknown,
  attribution: MapLike,
  options: CurveOptions = {},
): Promise<CurveResult> {
  return perturbationCurve("insertion", model, input, attribution, options);
}

async function perturbationCurve(
  metric: "deletion" | "insertion",
  model: unknown,
  input: unknown,
  attribution: MapLike,
  options: CurveOptions,
): Promise<CurveResult> {
  const steps = options.steps ?? 50;
  assertPositiveInt(steps, "steps");
  const batchSize = options.batchSize ?? 32;
  assertPositiveInt(batchSize, "batchSize");
  return withWork(metric, options, async (work) => {
    work.throwIfAborted();
    const m = await modelInput(model, input, options);
    try {
      const { x, item } = m;
      const batch = x.shape[0];
      const values = featureValues(attribution, batch, item);
      const grid = featureShape(item);
      const n = values[0].length;
      if (steps > n) fail(`steps (${steps}) is more than the ${n} pixels to rank; use steps ≤ ${n}.`);
      const counts = Array.from({ length: steps + 1 }, (_, k) => Math.round((k * n) / steps));
      const fractions = counts.map((c) => c / n);
      // the changed-pixel mask broadcasts over channels for images
      const maskShape = (rows: number) => [rows, ...grid, ...(item.length >= 3 ? [1] : [])];
      const curve: number[][] = [];
      work.plan(batch * Math.ceil((steps + 1) / batchSize), "forward passes");
      for (let e = 0; e < batch; e++) {
        const rank = ranksOf(rankDescending(values[e]));
        const out: number[] = [];
        for (let start = 0; start <= steps; start += batchSize) {
          const end = Math.min(steps + 1, start + batchSize);
          const rows = end - start;
          const ys = tf.tidy(() => {
            const xe = tf.slice(x, e, 1);
            const be = baselineRow(options.baseline ?? 0, x, e);
            const changed = tf.cast(
              tf.less(
                tf.reshape(tf.tensor1d(rank), maskShape(1)),
                tf.reshape(tf.tensor1d(counts.slice(start, end)), [rows, ...new Array(item.length).fill(1)]),
              ),
              "float32",
            );
            const [from, to] = metric === "deletion" ? [xe, be] : [be, xe];
            const perturbed = tf.add(tf.mul(from, tf.sub(1, changed)), tf.mul(to, changed));
            return m.outputs(perturbed, new Array(rows).fill(e));
          });
          out.push(...ys);
          await work.step();
        }
        curve.push(out);
      }
      const auc = curve.map((c) => trapezoid(fractions, c));
      return metricResult(metric, auc, { auc, curve, fractions });
    } finally {
      m.x.dispose();
    }
  });
}
