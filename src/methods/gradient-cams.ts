import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { CamOptions, spatialAxes, weightedSum } from "./cam-maps";
import { explain } from "./explain";
import { CamCombine, gradientCam } from "./grad-cam";

/** HiResCAM (Draelos & Carin 2020): Σ_k g_k ⊙ A_k, the gradient times the activation, element-wise. */
const hiRes: CamCombine = (g, a) => tf.sum(tf.mul(g, a), -1);

/** Layer-CAM (Jiang et al. 2021): Σ_k relu(g_k) ⊙ A_k. */
const layerWise: CamCombine = (g, a) => tf.sum(tf.mul(tf.relu(g), a), -1);

/**
 * XGrad-CAM (Fu et al. 2020): w_k = Σ_ij (A_kij / Σ_ij A_kij) g_kij, then Σ_k w_k A_k. A channel whose
 * activations sum to 0 gets weight 0 (its map is all zero for ReLU layers anyway).
 */
const xGrad: CamCombine = (g, a) => {
  const axes = spatialAxes(a);
  const total = tf.sum(a, axes);
  const safe = tf.where(tf.equal(total, 0), tf.onesLike(total), total);
  return weightedSum(a, tf.div(tf.sum(tf.mul(a, g), axes), safe));
};

/** HiResCAM: the score's gradient times the activations, summed over channels (no averaging); options as dv.gradCam. */
export async function hiResCam(model: Model, input: tf.Tensor, options: CamOptions = {}): Promise<Attribution> {
  return explain("hiResCam", model, input, options, (ctx) => gradientCam(ctx, options, hiRes));
}

/** Layer-CAM: like HiResCAM with only the positive gradients, which keeps detail in early layers; options as dv.gradCam. */
export async function layerCam(model: Model, input: tf.Tensor, options: CamOptions = {}): Promise<Attribution> {
  return explain("layerCam", model, input, options, (ctx) => gradientCam(ctx, options, layerWise));
}

/** XGrad-CAM: channel weights are the activation-weighted mean of the gradient; options as dv.gradCam. */
export async function xGradCam(model: Model, input: tf.Tensor, options: CamOptions = {}): Promise<Attribution> {
  return explain("xGradCam", model, input, options, (ctx) => gradientCam(ctx, options, xGrad));
}
