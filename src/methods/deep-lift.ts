import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { isGraphModel, Model } from "../model/kind";
import { forward, LayerRule } from "../model/interpreter";
import { graphInfo, scoreNode } from "../model/graph";
import { NODE_RULE_COVERS, NodeRule, refuseUnsupportedNodes } from "../model/graph-ops";
import { probe, stopGradient } from "../model/probe";
import { assertPositiveInt } from "../model/validate";
import { autoBatchSize } from "./batching";
import { Work } from "../core/work";
import { Context, explain, TargetOptions } from "./explain";
import { scores } from "./gradients";
import { baselineLike } from "./baseline";

export interface DeepLiftOptions extends TargetOptions {
  /** Reference input: a number (filled) or a tensor shaped like one example or like the input (default 0). */
  baseline?: number | tf.Tensor;
}

export interface DeepLiftShapOptions extends TargetOptions {
  /** A batch of reference inputs [N, ...example shape]; the attribution is the mean over them (default: one zero input). */
  baselines?: tf.Tensor;
  /** Baselines per pass (default: sized to fit memory). */
  batchSize?: number;
}

const MAX_POOLS = new Set(["MaxPooling1D", "MaxPooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D"]);
/** Below this |Δ| a multiplier becomes the derivative (Shrikumar et al.: the limit of the rescale ratio). */
const SMALL = 1e-6;
const safeInverse = (d: tf.Tensor) =>
  tf.where(tf.greater(tf.abs(d), SMALL), tf.div(1, tf.where(tf.greater(tf.abs(d), SMALL), d, tf.onesLike(d))), tf.zerosLike(d));

/**
 * DeepLift's Rescale rule as an interpreter rule. The pass runs 2n rows: inputs first, their references
 * after. Every nonlinearity passes back its multiplier Δy/Δz (the derivative where Δz ≈ 0); max pooling
 * passes g·Δy to its window's winner (see rescale); linear layers keep their gradient. Then
 * Σ (x − x₀) ⊙ multiplier = F(x) − F(x₀) exactly (for 1-D max pools, whose winners are not looked up, but for
 * a window whose winner at the input equals the reference there: its share is lost; info.delta shows it).
 */
export function rescaleRule(n: number): LayerRule {
  return ({ layer, part, input, apply }) => {
    if (Array.isArray(input)) return undefined;
    const isMaxPool = part === "linear" && MAX_POOLS.has(layer.getClassName());
    if (part !== "activation" && !isMaxPool) return undefined;
    return rescale(n, input, (t) => apply(t), isMaxPool ? { winners: layerWinners(layer) } : undefined);
  };
}

/** The same rule for a GraphModel's nodes: every activation (fused or not) and every MaxPool. */
export function rescaleNodeRule(n: number): NodeRule {
  return ({ op, part, inputs, apply, attrs }) => {
    if (part !== "activation" && op !== "MaxPool") return undefined;
    const apply1 = (t: tf.Tensor) => apply([t, ...inputs.slice(1)]);
    if (op !== "MaxPool") return rescale(n, inputs[0], apply1);
    const [k, s] = [attrs.kernelSize as number[], attrs.strides as number[]];
    const pad = attrs.pad as string;
    const winners = pad === "same" || pad === "valid" ? poolWinners([k[1], k[2]], [s[1], s[2]], pad) : undefined;
    return rescale(n, inputs[0], apply1, { winners });
  };
}

/** Flat indices (batch included) of each max-pool window's winner in the pool's input, for that input's values. */
type Winners = (z: Float32Array, shape: number[]) => Int32Array;

/**
 * Winners of 2-D max pooling (NHWC, TensorFlow's padding), the first maximum of each window in row-major
 * order. Computed here: tfjs-backend-wasm's maxPoolWithArgmax returns index 0 for windows whose maximum
 * is 0 (ReLU zeros), and a gather's gradient (unsortedSegmentSum) is far too slow on feature maps.
 */
function poolWinners(window: [number, number], strides: [number, number], padding: "same" | "valid"): Winners {
  return (z, [batch, h, w, c]) => {
    const [kh, kw] = window;
    const [sh, sw] = strides;
    const [oh, ow] =
      padding === "same"
        ? [Math.ceil(h / sh), Math.ceil(w / sw)]
        : [Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1];
    const top = padding === "same" ? Math.floor(Math.max((oh - 1) * sh + kh - h, 0) / 2) : 0;
    const left = padding === "same" ? Math.floor(Math.max((ow - 1) * sw + kw - w, 0) / 2) : 0;
    const out = new Int32Array(batch * oh * ow * c);
    let o = 0;
    for (let b = 0; b < batch; b++)
      for (let y = 0; y < oh; y++)
        for (let x = 0; x < ow; x++)
          for (let ch = 0; ch < c; ch++) {
            let best = -Infinity,
              at = -1;
            for (let i = 0; i < kh; i++) {
              const yy = y * sh - top + i;
              if (yy < 0 || yy >= h) continue;
              for (let j = 0; j < kw; j++) {
                const xx = x * sw - left + j;
                if (xx < 0 || xx >= w) continue;
                const k = ((b * h + yy) * w + xx) * c + ch;
                if (z[k] > best) [best, at] = [z[k], k];
              }
            }
            out[o++] = at;
          }
    return out;
  };
}

/** Winners for 2-D max pooling layers (channels last); undefined for the others, which keep the input's winner only. */
function layerWinners(layer: tf.layers.Layer): Winners | undefined {
  const c = layer.getConfig() as { poolSize?: number[]; strides?: number[]; padding?: string; dataFormat?: string };
  if ((c.dataFormat ?? "channelsLast") !== "channelsLast") return undefined;
  if (layer.getClassName() === "GlobalMaxPooling2D")
    return (z, shape) => poolWinners([shape[1], shape[2]], [shape[1], shape[2]], "valid")(z, shape);
  if (layer.getClassName() !== "MaxPooling2D" || !c.poolSize) return undefined;
  const pool = c.poolSize as [number, number];
  return poolWinners(pool, (c.strides ?? pool) as [number, number], c.padding as "same" | "valid");
}

/**
 * One nonlinearity y = apply(z) under the Rescale rule, over rows [inputs; references]. A max pool sends
 * g·Δy to each window's winner at the input divided by that element's Δz; where that Δz is 0 (ReLU zeros
 * at both, say) the share goes to the reference's winner instead, whose Δz is then nonzero unless Δy is 0,
 * so nothing is lost (`winners` finds the winners; without it, 1-D pools, such a share is lost).
 */
function rescale(n: number, input: tf.Tensor, apply: (t: tf.Tensor) => tf.Tensor, pool?: { winners?: Winners }): tf.Tensor {
  const halves = (t: tf.Tensor) => [tf.slice(t, 0, n), tf.slice(t, n, n)];
  const twice = (t: tf.Tensor) => tf.concat([t, t]);
  const z = stopGradient(input);
  const y = apply(z);
  const [zx, z0] = halves(z);
  const [yx, y0] = halves(y);
  const dz = tf.sub(zx, z0);
  if (pool) {
    const scale = twice(safeInverse(dz));
    const dy = twice(tf.sub(yx, y0));
    if (!pool.winners) {
      // g·Δy to the winner of each window at the input (tfjs's own routing), divided by its Δz
      const routed = tf.sub(apply(probe(input, z, scale)), stopGradient(y));
      return tf.add(stopGradient(y), tf.mul(routed, dy));
    }
    // where the input's winner has Δz = 0 (ReLU zeros at both, say) its share goes through the reference's
    // winner instead; the winners are found in JS on the values (first maximum, as tfjs's max-pool
    // gradient picks) and choose between two routings by tfjs's own max-pool gradient
    const values = z.dataSync() as Float32Array;
    const size = values.length / 2;
    const swapped = new Float32Array(values.length);
    swapped.set(values.subarray(size), 0);
    swapped.set(values.subarray(0, size), size);
    const delta = (k: number) => (k < size ? values[k] - values[k + size] : values[k - size] - values[k]);
    const kept = tf.tensor(
      Float32Array.from(pool.winners(values, z.shape), (k) => (Math.abs(delta(k)) > SMALL ? 1 : 0)),
      y.shape,
    );
    const route = (value: tf.Tensor, share: tf.Tensor) =>
      tf.mul(tf.sub(apply(probe(input, value, scale)), stopGradient(apply(value))), share);
    const viaInput = route(z, tf.mul(dy, kept));
    const viaReference = route(tf.tensor(swapped, z.shape), tf.mul(dy, tf.sub(1, kept)));
    return tf.add(stopGradient(y), tf.add(viaInput, viaReference));
  }
  const h = 1e-3;
  const slope = tf.div(tf.sub(apply(tf.add(zx, h)), apply(tf.sub(zx, h))), 2 * h);
  const ratio = tf.div(tf.sub(yx, y0), tf.where(tf.greater(tf.abs(dz), SMALL), dz, tf.onesLike(dz)));
  const m = tf.where(tf.greater(tf.abs(dz), SMALL), ratio, slope);
  return tf.add(stopGradient(y), probe(input, undefined, twice(m)));
}

/** The model, after checking that a GraphModel has only nodes the Rescale rule handles. */
function checked(method: string, model: Model): Model {
  if (!isGraphModel(model)) return model;
  refuseUnsupportedNodes(method, model, scoreNode(model), NODE_RULE_COVERS);
  if (graphInfo(model).inputShape[0] === 1)
    fail(
      `${method} runs inputs and references through the model as one batch, but this GraphModel is traced for batch 1 ` +
        "(its input shape starts with 1). Convert it with a free batch dimension, or use integratedGradients.",
    );
  return model;
}

/** (x − x₀) ⊙ multipliers for rows of inputs and references, one backward pass. */
export function deepLiftRows(
  model: Model,
  x: tf.Tensor,
  x0: tf.Tensor,
  score: Context["target"]["score"],
  rows: number[],
): tf.Tensor {
  return tf.tidy(() => {
    const n = x.shape[0];
    const both = tf.concat([x, x0]);
    const g = tf.grad((inp: tf.Tensor) =>
      tf.sum(
        tf.slice(
          score(forward(model, inp, { rule: rescaleRule(n), nodeRule: rescaleNodeRule(n) }).output, [...rows, ...rows]),
          0,
          n,
        ),
      ),
    )(both);
    return tf.mul(tf.slice(g, 0, n), tf.sub(x, x0));
  });
}

function deltas(
  model: Model,
  x: tf.Tensor,
  attribution: tf.Tensor,
  reference: number[],
  score: Context["target"]["score"],
  rows: number[],
): number[] {
  const fx = tf.tidy(() => scores(model, x, score, rows).dataSync());
  const sums = tf.tidy(() => tf.sum(tf.reshape(attribution, [x.shape[0], -1]), 1).dataSync());
  return Array.from(sums, (s, i) => s - (fx[i] - reference[i]));
}

/**
 * DeepLift (Shrikumar et al. 2017) with the Rescale rule: (x − x₀) × multipliers, whose sum is exactly
 * F(x) − F(x₀) (`info.delta`: the residual per example). On a GraphModel the rule runs at every activation
 * node (fused ones too) and MaxPool; a node it has no rule for is a DeepVizError.
 */
export async function deepLift(model: Model, input: tf.Tensor, options: DeepLiftOptions = {}): Promise<Attribution> {
  return explain("deepLift", model, input, options, async ({ model: m, x, target, allRows, work }) => {
    const model = checked("deepLift", m);
    const x0 = work.tidy(() => tf.clone(baselineLike(options.baseline ?? 0, x)));
    const values = work.tidy(() => deepLiftRows(model, x, x0, target.score, allRows));
    const reference = Array.from(tf.tidy(() => scores(model, x0, target.score, allRows).dataSync()));
    const delta = deltas(model, x, values, reference, target.score, allRows);
    await work.step(); // one pass over the whole batch
    return { values, info: { delta } };
  });
}

/**
 * DeepLiftShap: DeepLift against each of a batch of baselines, averaged (Lundberg & Lee 2017, Captum's
 * DeepLiftShap). Σ attribution = F(x) − mean F(baselines) (`info.delta`: the residual).
 */
export async function deepLiftShap(model: Model, input: tf.Tensor, options: DeepLiftShapOptions = {}): Promise<Attribution> {
  return explain("deepLiftShap", model, input, options, async ({ model: m, x, target, rowsFor, work }) => {
    const model = checked("deepLiftShap", m);
    const baselines =
      options.baselines === undefined
        ? work.tidy(() => tf.zeros([1, ...x.shape.slice(1)]))
        : checkBaselines(options.baselines, x);
    const count = baselines.shape[0];
    if (options.batchSize !== undefined) assertPositiveInt(options.batchSize, "batchSize");
    const batchSize = options.batchSize ?? Math.max(1, Math.floor(autoBatchSize(model, 2 * count) / 2));
    work.plan(x.shape[0] * count, "rows");
    return perExampleMean(
      x,
      count,
      batchSize,
      work,
      (e, start, end) => {
        const xe = tf.tile(tf.slice(x, e, 1), [end - start, ...new Array(x.rank - 1).fill(1)]);
        return deepLiftRows(model, xe, tf.slice(baselines, start, end - start), target.score, rowsFor(e, end - start));
      },
      (values) => {
        // F of the baselines for each example's target (a function target sees each baseline row alike)
        const reference = Array.from({ length: x.shape[0] }, (_, e) =>
          tf.tidy(() => tf.mean(scores(model, baselines, target.score, rowsFor(e, count))).dataSync()[0]),
        );
        return {
          delta: deltas(
            model,
            x,
            values,
            reference,
            target.score,
            Array.from({ length: x.shape[0] }, (_, i) => i),
          ),
          baselines: count,
        };
      },
    );
  });
}

export function checkBaselines(baselines: unknown, x: tf.Tensor): tf.Tensor {
  if (!(baselines instanceof tf.Tensor))
    return fail("baselines must be a tf.Tensor holding a batch of reference inputs [N, ...example shape].");
  if (baselines.isDisposed) fail("baselines was already disposed.");
  const item = x.shape.slice(1);
  if (baselines.rank !== x.rank || baselines.shape.slice(1).join() !== item.join()) {
    fail(`baselines has shape [${baselines.shape.join(", ")}]; expected a batch [N, ${item.join(", ")}] of reference inputs.`);
  }
  if (baselines.shape[0] < 1) fail("baselines must hold at least one reference input.");
  return baselines;
}

/**
 * For each example, sums `rowsOf(e, start, end)` (per-row attributions) over `count` rows in chunks,
 * yielding between chunks, and returns the mean per example; `info` gets the finished values.
 */
export async function perExampleMean(
  x: tf.Tensor,
  count: number,
  batchSize: number,
  work: Work,
  rowsOf: (e: number, start: number, end: number) => tf.Tensor,
  info: (values: tf.Tensor) => Record<string, unknown>,
): Promise<{ values: tf.Tensor; info: Record<string, unknown> }> {
  const means: tf.Tensor[] = [];
  for (let e = 0; e < x.shape[0]; e++) {
    let sum = work.tidy(() => tf.zeros([1, ...x.shape.slice(1)]));
    for (let start = 0; start < count; start += batchSize) {
      const end = Math.min(count, start + batchSize);
      const next: tf.Tensor = work.tidy(() => tf.add(sum, tf.sum(rowsOf(e, start, end), 0, true)));
      work.free(sum);
      sum = next;
      await work.step(end - start);
    }
    means.push(work.tidy(() => tf.div(sum, count)));
    work.free(sum);
  }
  const values = work.tidy(() => tf.concat(means));
  work.free(...means);
  return { values, info: info(values) };
}
