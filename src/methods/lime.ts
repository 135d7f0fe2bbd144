import * as tf from "@tensorflow/tfjs";
import type { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { mulberry32 } from "../core/random";
import { assertPositiveInt } from "../model/validate";
import { TargetOptions } from "./explain";
import { perturbationFrame } from "./feature-ablation";
import { weightedLeastSquares } from "./least-squares";
import { coalitionScores, PerturbationOptions } from "./perturbation";

export interface LimeOptions extends TargetOptions, PerturbationOptions {
  /** Perturbed samples per example (default 256), each group kept with probability ½ (seeded). */
  samples?: number;
  /** Width of the exponential kernel on the cosine distance to the input (default 0.25, LIME's image default). */
  kernelWidth?: number;
  /** Ridge penalty, relative to the largest diagonal of the normal equations (default 1e-6). */
  ridge?: number;
  seed?: number;
}

/**
 * LIME (Ribeiro et al. 2016): a weighted linear model fitted to F over random coalitions of feature groups
 * (kept: from the input; removed: the baseline), weighted by exp(−d²/width²) with d the cosine distance
 * between the coalition and the full input. The coefficients are the attribution, spread to each group's
 * members; `info.intercept` is the fit's constant.
 */
export async function lime(model: Model, input: tf.Tensor, options: LimeOptions = {}): Promise<Attribution> {
  const samples = options.samples ?? 256;
  assertPositiveInt(samples, "samples");
  const width = options.kernelWidth ?? 0.25;
  if (!(width > 0) || !Number.isFinite(width)) fail(`kernelWidth must be a positive number; got ${width}.`);
  const ridge = options.ridge ?? 1e-6;
  if (!(ridge >= 0) || !Number.isFinite(ridge)) fail(`ridge must be a finite number ≥ 0; got ${ridge}.`);
  const random = mulberry32(options.seed ?? 0);
  return perturbationFrame(
    "lime",
    model,
    input,
    options,
    () => samples + 1,
    async (ctx, e, xe, be, groups, work) => {
      const m = groups.count;
      const rows = [new Uint8Array(m).fill(1)];
      for (let r = 0; r < samples; r++) rows.push(Uint8Array.from({ length: m }, () => (random() < 0.5 ? 1 : 0)));
      const s = await coalitionScores(ctx, e, xe, be, groups, rows, options.batchSize, work);
      const weights = rows.map((z) => {
        const kept = z.reduce((a, b) => a + b, 0);
        const d = kept === 0 ? 1 : 1 - Math.sqrt(kept / m);
        return Math.exp(-(d * d) / (width * width));
      });
      const design = rows.map((z) => Float64Array.from({ length: m + 1 }, (_, i) => (i === m ? 1 : z[i])));
      const theta = weightedLeastSquares(design, s, weights, ridge);
      return { values: Array.from(theta.subarray(0, m)), info: { intercept: theta[m] } };
    },
  );
}
