import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { forward } from "../model/interpreter";
import { assertModel, assertPositiveInt } from "../model/validate";
import { Work } from "../core/work";
import { autoBatchSize } from "./batching";
import { camInfo, camLayers, CamOptions, meanOfMaps, spatialAxes, upsample, upsampleMode, weightedSum } from "./cam-maps";
import { explain } from "./explain";
import { scores } from "./gradients";

export interface ScoreCamOptions extends CamOptions {
  /**
   * How a channel's masked score becomes its weight:
   * - "softmax" (default, Algorithm 1 of Wang et al. 2020): the softmax over channels of the target
   *   score of each masked input. Softmax ignores a common shift, so this equals the softmax of the
   *   paper's score increases f(X∘H_k) − f(X_b).
   * - "difference" (Eq. 3 of the paper): the raw increase f(X∘H_k) − f(X_b) over the baseline input
   *   X_b = 0.
   * Scores are pre-softmax (the target score every method explains).
   */
  weights?: "softmax" | "difference";
  /** Masked inputs per forward pass (default: sized to fit memory). */
  batchSize?: number;
}

/**
 * Score-CAM (Wang et al. 2020), gradient-free: each channel's activation map, upsampled to the input
 * (bilinear, or nearest when `upsample` is "nearest") and scaled to [0, 1] (a constant map becomes
 * all zero), masks the input; the masked inputs' scores, in batches of forward passes, weight the
 * channels: ReLU(Σ_k α_k A_k). Shapes as in dv.gradCam.
 */
export async function scoreCam(model: Model, input: tf.Tensor, options: ScoreCamOptions = {}): Promise<Attribution> {
  assertModel(model);
  const layers = camLayers(model, options.layer);
  const mode = upsampleMode(options.upsample);
  const relu = options.relu ?? true;
  const weighting = options.weights ?? "softmax";
  if (weighting !== "softmax" && weighting !== "difference")
    fail(`unknown Score-CAM weights "${weighting}"; use "softmax" or "difference".`);
  if (options.batchSize !== undefined) assertPositiveInt(options.batchSize, "batchSize");
  return explain("scoreCam", model, input, options, async ({ model, x, target, rowsFor, work }) => {
    if (x.rank !== 4) fail(`Score-CAM masks an image input [H, W, C]; this model's input is [${x.shape.slice(1).join(", ")}].`);
    const activations = work.tidy(() => {
      const pass = forward(model, x, { capture: layers });
      return layers.map((name) => pass.activations.get(name)!);
    });
    const channels = activations.map((a) => a.shape[a.rank - 1]);
    work.plan(x.shape[0] * channels.reduce((s, c) => s + c, 0), "masks");
    const maps: tf.Tensor[] = [];
    for (const a of activations) {
      const perExample: tf.Tensor[] = [];
      for (let e = 0; e < x.shape[0]; e++) {
        const [xe, ae] = work.tidy(() => [tf.slice(x, e, 1), tf.slice(a, e, 1)]);
        const masked = await maskedScores(
          work,
          model,
          xe,
          ae,
          mode === "nearest" ? "nearest" : "bilinear",
          (batch, n) => scores(model, batch, target.score, rowsFor(e, n)),
          options.batchSize,
        );
        perExample.push(
          work.tidy(() => {
            const alpha =
              weighting === "softmax"
                ? tf.softmax(masked)
                : tf.sub(masked, scores(model, tf.zerosLike(xe), target.score, rowsFor(e, 1)));
            return weightedSum(ae, tf.reshape(alpha, [1, -1]));
          }),
        );
        work.free(xe, ae, masked);
      }
      maps.push(
        work.tidy(() => {
          const sum = tf.concat(perExample);
          return upsample(relu ? tf.relu(sum) : sum, x, mode);
        }),
      );
    }
    return { values: work.tidy(() => meanOfMaps(maps, layers)), info: { ...camInfo(layers, relu, mode), weights: weighting } };
  });
}

/** The target score of one example masked by each of its K normalized, upsampled maps: [K], in chunks. */
async function maskedScores(
  work: Work,
  model: Model,
  xe: tf.Tensor,
  ae: tf.Tensor,
  mode: "bilinear" | "nearest",
  score: (batch: tf.Tensor, n: number) => tf.Tensor1D,
  batchSize?: number,
): Promise<tf.Tensor1D> {
  const channels = ae.shape[ae.rank - 1];
  // [1, h, w, K] → [K, h, w]: one map per channel
  const perChannel = work.tidy(() => tf.transpose(tf.squeeze(ae, [0]), [2, 0, 1]));
  const size = batchSize ?? autoBatchSize(model, channels, 64 * 2 ** 20);
  const out: tf.Tensor[] = [];
  for await (const [start, end] of work.chunks(channels, size)) {
    out.push(
      work.tidy(() => {
        const m = upsample(tf.slice(perChannel, start, end - start), xe, mode);
        const axes = spatialAxes(tf.expandDims(m, -1));
        const lo = tf.min(m, axes, true);
        const range = tf.sub(tf.max(m, axes, true), lo);
        // a constant map has m − lo = 0 everywhere: dividing by 1 instead of 0 leaves it all zero
        const normalized = tf.div(tf.sub(m, lo), tf.where(tf.greater(range, 0), range, tf.onesLike(range)));
        return score(tf.mul(xe, tf.expandDims(normalized, -1)), end - start);
      }),
    );
  }
  const all = work.tidy(() => tf.concat(out) as tf.Tensor1D);
  work.free(perChannel, ...out);
  return all;
}
