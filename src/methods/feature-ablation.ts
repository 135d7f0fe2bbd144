import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../attribution";
import { assertPositiveInt } from "../model/validate";
import { TargetOptions } from "./explain";
import { ChunkOptions, explainChunked } from "./explain-chunked";
import { baselineLike } from "./integrated-gradients";
import { coalitionScores, featureGroups, Groups, PerturbationOptions, spread } from "./perturbation";

export interface FeatureAblationOptions extends TargetOptions, ChunkOptions, PerturbationOptions {}

/**
 * Feature ablation (Captum's FeatureAblation): for each group of the feature mask, the drop in the
 * target score when that group alone is set to the baseline, credited to every member of the group.
 */
export async function featureAblation(model: tf.LayersModel, input: tf.Tensor, options: FeatureAblationOptions = {}): Promise<Attribution> {
  return perturbationFrame("featureAblation", model, input, options, (groups) => groups.count + 1, async (ctx, e, xe, be, groups, run) => {
    const rows = [new Uint8Array(groups.count).fill(1)];
    for (let g = 0; g < groups.count; g++) { const r = new Uint8Array(groups.count).fill(1); r[g] = 0; rows.push(r); }
    const s = await coalitionScores(ctx, e, xe, be, groups, rows, options.batchSize, run);
    return { values: Array.from({ length: groups.count }, (_, g) => s[0] - s[g + 1]), info: {} };
  });
}

type Ctx = Parameters<Parameters<typeof explainChunked>[4]>[0];
type Runner = ReturnType<Parameters<Parameters<typeof explainChunked>[4]>[1]>;

/**
 * The frame the perturbation methods share: baselines, feature groups per example, a chunk runner over
 * every example's forward rows, and per-group values spread to their members.
 */
export async function perturbationFrame(method: string, model: tf.LayersModel, input: tf.Tensor,
  options: TargetOptions & ChunkOptions & PerturbationOptions, rowsPerExample: (g: Groups) => number,
  perExample: (ctx: Ctx, e: number, xe: tf.Tensor, be: tf.Tensor, groups: Groups, run: Runner) =>
    Promise<{ values: number[] | Float64Array; info: Record<string, unknown> }>): Promise<Attribution> {
  return explainChunked(method, model, input, options, async (ctx, runner) => {
    if (options.batchSize !== undefined) assertPositiveInt(options.batchSize, "batchSize");
    const { x } = ctx;
    const groups = await featureGroups(x, options);
    const baseline = baselineLike(options.baseline ?? 0, x);
    const run = runner(groups.reduce((s, g) => s + rowsPerExample(g), 0));
    const item = x.shape.slice(1);
    const parts: tf.Tensor[] = [];
    const infos: Record<string, unknown>[] = [];
    try {
      for (let e = 0; e < x.shape[0]; e++) {
        const xe = tf.slice(x, e, 1), be = tf.slice(baseline, e, 1);
        try {
          const r = await perExample(ctx, e, xe, be, groups[e], run);
          parts.push(spread(r.values, groups[e], item));
          infos.push({ ...r.info, groups: groups[e].count });
        } finally {
          tf.dispose([xe, be]);
        }
      }
      const values = tf.concat(parts);
      const keys = Object.keys(infos[0] ?? {});
      return { values, info: Object.fromEntries(keys.map((k) => [k, infos.map((i) => i[k])])) };
    } finally {
      tf.dispose(parts);
      if (baseline !== options.baseline) baseline.dispose();
    }
  });
}
