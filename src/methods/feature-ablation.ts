import * as tf from "@tensorflow/tfjs";
import type { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { assertPositiveInt } from "../model/validate";
import { Work } from "../core/work";
import { Context, explain, TargetOptions } from "./explain";
import { baselineLike } from "./baseline";
import { coalitionScores, featureGroups, Groups, PerturbationOptions, spread } from "./perturbation";

export interface FeatureAblationOptions extends TargetOptions, PerturbationOptions {}

/**
 * Feature ablation (Captum's FeatureAblation): for each group of the feature mask, the drop in the
 * target score when that group alone is set to the baseline, credited to every member of the group.
 */
export async function featureAblation(
  model: Model,
  input: tf.Tensor,
  options: FeatureAblationOptions = {},
): Promise<Attribution> {
  return perturbationFrame(
    "featureAblation",
    model,
    input,
    options,
    (groups) => groups.count + 1,
    async (ctx, e, xe, be, groups, work) => {
      const rows = [new Uint8Array(groups.count).fill(1)];
      for (let g = 0; g < groups.count; g++) {
        const r = new Uint8Array(groups.count).fill(1);
        r[g] = 0;
        rows.push(r);
      }
      const s = await coalitionScores(ctx, e, xe, be, groups, rows, options.batchSize, work);
      return { values: Array.from({ length: groups.count }, (_, g) => s[0] - s[g + 1]), info: {} };
    },
  );
}

/**
 * The frame the perturbation methods share: baselines, feature groups per example, a chunk runner over
 * every example's forward rows, and per-group values spread to their members.
 */
export async function perturbationFrame(
  method: string,
  model: Model,
  input: tf.Tensor,
  options: TargetOptions & PerturbationOptions,
  rowsPerExample: (g: Groups) => number,
  perExample: (
    ctx: Context,
    e: number,
    xe: tf.Tensor,
    be: tf.Tensor,
    groups: Groups,
    work: Work,
  ) => Promise<{ values: number[] | Float64Array; info: Record<string, unknown> }>,
): Promise<Attribution> {
  return explain(method, model, input, options, async (ctx) => {
    if (options.batchSize !== undefined) assertPositiveInt(options.batchSize, "batchSize");
    const { x, work } = ctx;
    const groups = await featureGroups(x, options);
    const baseline = work.tidy(() => tf.clone(baselineLike(options.baseline ?? 0, x)));
    work.plan(
      groups.reduce((s, g) => s + rowsPerExample(g), 0),
      "forward rows",
    );
    const item = x.shape.slice(1);
    const parts: tf.Tensor[] = [];
    const infos: Record<string, unknown>[] = [];
    for (let e = 0; e < x.shape[0]; e++) {
      const [xe, be] = work.tidy(() => [tf.slice(x, e, 1), tf.slice(baseline, e, 1)]);
      const r = await perExample(ctx, e, xe, be, groups[e], work);
      parts.push(work.tidy(() => spread(r.values, groups[e], item)));
      infos.push({ ...r.info, groups: groups[e].count });
      work.free(xe, be);
    }
    const values = work.tidy(() => tf.concat(parts));
    const keys = Object.keys(infos[0] ?? {});
    return { values, info: Object.fromEntries(keys.map((k) => [k, infos.map((i) => i[k])])) };
  });
}
