/**
 * Integrated gradients per unit of accuracy (run by `npm run bench`, or `npx tsx bench/ig-accuracy.ts`):
 * for each quadrature rule, the steps and time IG needs to reach 1 % completeness (|Σ attributions −
 * ΔF| ≤ 1 % of |ΔF|) on the zoo's trained shapes models, with `tolerance: 0.01`, against one saliency
 * map of the same images, measured in this run. With a tolerance the trapezoid refines adaptively (it
 * halves the intervals with the largest residuals); the other rules refine uniformly. CPU times (all threads); ratios are what to read.
 */
import * as tf from "@tensorflow/tfjs";
import * as dv from "../src";
import { inputGradient } from "../src/methods/gradients";
import { defaultMethod } from "../src/methods/integrated-gradients";
import { fmtMs, fmtX, load, measure, median, table } from "./measure";

const RULES: dv.IntegrationMethod[] = ["gausslegendre", "riemann_trapezoid", "riemann_middle", "riemann_left", "riemann_right"];

export interface RuleRow {
  rule: string;
  maxSteps: number;
  medianSteps: number;
  evaluations: number;
  converged: number;
  cpuMs: number;
  wallMs: number;
}

export async function igToOnePercent(modelName: string, n: number): Promise<{ rows: RuleRow[]; saliencyMs: number }> {
  const { model } = await dv.zoo.load(modelName);
  const data = dv.data.shapes({ n, seed: 99, size: model.inputs[0].shape[1] as number });
  const target = Array.from(data.labels.dataSync());
  const saliency = await measure(async () => (await dv.saliency(model, data.images, { target })).dispose(), 3);
  // warm up (operators, kernels) so that the first rule is not charged for it
  (await dv.integratedGradients(model, data.images, { target, steps: 8, progress: false })).dispose();
  const rows: RuleRow[] = [];
  for (const rule of RULES) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const a = await dv.integratedGradients(model, data.images, {
      target,
      tolerance: 0.01,
      method: rule,
      maxSteps: 2048,
      progress: false,
    });
    const used = process.cpuUsage(cpu);
    const wallMs = performance.now() - start;
    const steps = (a.info.steps as number[]).slice().sort((p, q) => p - q);
    rows.push({
      rule,
      maxSteps: steps[steps.length - 1],
      medianSteps: steps[Math.floor(steps.length / 2)],
      evaluations: (a.info.gradientEvaluations as number[]).reduce((p, q) => p + q, 0) / n,
      converged: (a.info.converged as boolean[]).filter(Boolean).length,
      cpuMs: (used.user + used.system) / 1000,
      wallMs,
    });
    a.dispose();
  }
  data.dispose();
  model.dispose();
  return { rows, saliencyMs: saliency.cpuMs };
}

/**
 * What one path point costs at each batch size (one input-gradient pass over `batch` points, median
 * CPU time of 5 after a warm-up), per point: the lever IG pulls by putting many points in one pass.
 */
export async function perPointCost(modelName: string, batches: number[]): Promise<Array<{ batch: number; msPerPoint: number }>> {
  const { model } = await dv.zoo.load(modelName);
  const size = model.inputs[0].shape[1] as number;
  const score = (y: tf.Tensor, rows: number[]) =>
    tf.gather(tf.reshape(y, [y.shape[0], -1]), 0, 1).slice(0, rows.length) as tf.Tensor1D;
  const out: Array<{ batch: number; msPerPoint: number }> = [];
  for (const batch of batches) {
    const x = tf.randomUniform([batch, size, size, 3], 0, 1, "float32", 7);
    const rows = Array.from({ length: batch }, (_, i) => i);
    const once = () => tf.tidy(() => void inputGradient(model, x, score, rows).dataSync());
    once();
    const cpus: number[] = [];
    for (let r = 0; r < 5; r++) {
      const start = process.cpuUsage();
      once();
      const used = process.cpuUsage(start);
      cpus.push((used.user + used.system) / 1000);
    }
    out.push({ batch, msPerPoint: median(cpus) / batch });
    x.dispose();
  }
  model.dispose();
  return out;
}

export async function main(): Promise<void> {
  console.log(`backend: ${await dv.backend()} (${load()})`);
  const n = Number(process.env.BENCH_IG_N ?? 4);
  const totals = new Map<string, number>();
  for (const name of ["shapes_cnn", "shapes_vgg"]) {
    const { rows, saliencyMs } = await igToOnePercent(name, n);
    for (const r of rows) totals.set(r.rule, (totals.get(r.rule) ?? 0) + (r.converged === n ? r.evaluations : Infinity));
    console.log(
      `\n${name}: IG to 1 % completeness (tolerance 0.01, refining from 4 steps), ${n} images, true classes; ` +
        `one saliency of the batch: ${fmtMs(saliencyMs)} CPU`,
    );
    console.log(
      table(
        ["rule", "steps (median / max)", "gradients per image", "met 1 %", "wall", "CPU time", "× saliency (CPU)"],
        rows.map((r) => [
          r.rule === "riemann_trapezoid" ? "riemann_trapezoid (adaptive)" : r.rule,
          `${r.medianSteps} / ${r.maxSteps}`,
          r.evaluations.toFixed(0),
          `${r.converged}/${n}`,
          fmtMs(r.wallMs),
          fmtMs(r.cpuMs),
          fmtX(r.cpuMs / saliencyMs),
        ]),
      ),
    );
    // cost = gradient evaluations (deterministic); CPU time follows it but is noisy on a shared machine
    const cheapest = rows.filter((r) => r.converged === n).sort((p, q) => p.evaluations - q.evaluations)[0];
    console.log(
      `cheapest rule that reaches 1 % on every image: ${cheapest?.rule ?? "none"} ` +
        `(the default with a tolerance is ${defaultMethod(0.01)}${cheapest && cheapest.rule !== defaultMethod(0.01) ? " — consider changing it" : ""})`,
    );
    // the floor: gradients needed × what one costs in a large batch, against one saliency of an image
    const batches = [1, 2, 4, 8, 16, 32, 64];
    const cost = await perPointCost(name, batches);
    const perImageSaliency = saliencyMs / n;
    console.log(
      `one path point's gradient by batch size (CPU, median of 5, ${load()}): ` +
        cost.map((c) => `${c.batch}: ${fmtMs(c.msPerPoint)}`).join(", "),
    );
    const large = Math.min(...cost.filter((c) => c.batch >= 16).map((c) => c.msPerPoint));
    if (cheapest) {
      console.log(
        `floor for ${cheapest.rule}: ${cheapest.evaluations.toFixed(0)} gradients × ${fmtMs(large)} (batched) = ` +
          `${fmtMs(cheapest.evaluations * large)} CPU per image ≈ ${fmtX((cheapest.evaluations * large) / perImageSaliency)} one saliency ` +
          `of an image (${fmtMs(perImageSaliency)} CPU in a batch of ${n}); measured: ${fmtX(cheapest.cpuMs / saliencyMs)}; target ≤ 15×`,
      );
    }
  }
  const ranked = [...totals].sort((p, q) => p[1] - q[1]);
  console.log(
    `\ngradients per image to 1 %, summed over both models: ${ranked.map(([r, v]) => `${r} ${v.toFixed(0)}`).join(", ")}`,
  );
}

if (require.main === module) main();
