import * as tf from "@tensorflow/tfjs";
import type { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { mulberry32 } from "../core/random";
import { assertPositiveInt } from "../model/validate";
import { TargetOptions } from "./explain";
import { perturbationFrame } from "./feature-ablation";
import { weightedLeastSquares } from "./least-squares";
import { coalitionScores, PerturbationOptions } from "./perturbation";

export interface KernelShapOptions extends TargetOptions, PerturbationOptions {
  /** Coalitions per example (default 256); with 2^M − 2 or fewer needed, all are enumerated (exact Shapley values). */
  samples?: number;
  seed?: number;
}

/**
 * KernelSHAP (Lundberg & Lee 2017): the Shapley values of the feature groups, as the weighted least
 * squares fit of F over coalitions (kept groups from the input, the rest from the baseline) with the
 * Shapley kernel, constrained so that they sum to F(x) − F(baseline). Coalitions are drawn by size from
 * the kernel's distribution, each with its complement (seeded). A linear model gets exactly w ⊙ (x − b).
 */
export async function kernelShap(model: Model, input: tf.Tensor, options: KernelShapOptions = {}): Promise<Attribution> {
  const samples = options.samples ?? 256;
  assertPositiveInt(samples, "samples");
  const random = mulberry32(options.seed ?? 0);
  const plan = (m: number) => coalitionsFor(m, samples, random);
  const planned = new Map<number, { rows: Uint8Array[]; weights: number[] }>();
  const planFor = (m: number) => {
    if (!planned.has(m)) planned.set(m, plan(m));
    return planned.get(m)!;
  };
  return perturbationFrame(
    "kernelShap",
    model,
    input,
    options,
    (g) => planFor(g.count).rows.length + 2,
    async (ctx, e, xe, be, groups, work) => {
      const m = groups.count;
      const { rows, weights } = planFor(m);
      planned.delete(m); // each example draws its own coalitions
      const s = await coalitionScores(
        ctx,
        e,
        xe,
        be,
        groups,
        [new Uint8Array(m).fill(1), new Uint8Array(m), ...rows],
        options.batchSize,
        work,
      );
      const [fx, fb] = [s[0], s[1]];
      const total = fx - fb;
      if (m === 1) return { values: [total], info: { exact: true, coalitions: 0 } };
      // eliminate the last weight with the constraint Σφ = F(x) − F(b): y − z_M·Δ = Σ_{i<M} φ_i (z_i − z_M)
      const design = rows.map((z) => Float64Array.from({ length: m - 1 }, (_, i) => z[i] - z[m - 1]));
      const y = rows.map((z, r) => s[r + 2] - fb - z[m - 1] * total);
      const phi = Array.from(weightedLeastSquares(design, y, weights));
      phi.push(total - phi.reduce((a, b) => a + b, 0));
      return { values: phi, info: { exact: rows.length === 2 ** m - 2, coalitions: rows.length } };
    },
  );
}

/** All proper coalitions with Shapley kernel weights when few enough, else kernel-distributed sizes with complements. */
function coalitionsFor(m: number, samples: number, random: () => number): { rows: Uint8Array[]; weights: number[] } {
  if (m <= 1) return { rows: [], weights: [] };
  const binom = (n: number, k: number) => {
    let r = 1;
    for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
    return r;
  };
  const kernel = (s: number) => (m - 1) / (binom(m, s) * s * (m - s));
  if (m <= 20 && 2 ** m - 2 <= samples) {
    const rows: Uint8Array[] = [],
      weights: number[] = [];
    for (let code = 1; code < 2 ** m - 1; code++) {
      const z = Uint8Array.from({ length: m }, (_, i) => (code >> i) & 1);
      rows.push(z);
      weights.push(kernel(z.reduce((a, b) => a + b, 0)));
    }
    return { rows, weights };
  }
  // size s with probability ∝ (m − 1) / (s (m − s)): the kernel's mass over all coalitions of that size
  const sizeWeights = Array.from({ length: m - 1 }, (_, i) => (m - 1) / ((i + 1) * (m - 1 - i)));
  const totalWeight = sizeWeights.reduce((a, b) => a + b, 0);
  const rows: Uint8Array[] = [];
  while (rows.length < samples) {
    let u = random() * totalWeight,
      s = 1;
    while (s < m - 1 && u > sizeWeights[s - 1]) {
      u -= sizeWeights[s - 1];
      s++;
    }
    const order = Array.from({ length: m }, (_, i) => i);
    for (let i = 0; i < s; i++) {
      const j = i + Math.floor(random() * (m - i));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const z = new Uint8Array(m);
    for (let i = 0; i < s; i++) z[order[i]] = 1;
    rows.push(z);
    if (rows.length < samples) rows.push(z.map((v) => 1 - v));
  }
  return { rows, weights: new Array(rows.length).fill(1) };
}
