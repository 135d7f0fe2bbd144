import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { CamOptions, layerCams, spatialAxes, weightedSum } from "./cam-maps";
import { Context, explain } from "./explain";
import { inputGradient, layerGradient } from "./gradients";

/** Channel weights [B, K] from a layer's gradient and activation, both [B, ...spatial, K]. */
export type ChannelWeights = (gradient: tf.Tensor, activation: tf.Tensor) => tf.Tensor;

/** Grad-CAM (Selvaraju et al.): a channel's weight is the spatial mean of the score's gradient. */
const gradCamWeights: ChannelWeights = (g) => tf.mean(g, spatialAxes(g));

/**
 * Grad-CAM++ (Chattopadhyay et al.), with the paper's exponential score S = exp(Y): then
 * α_ij = g² / (2g² + Σ_ab A_ab · g³) with g = ∂Y/∂A_ij, and w_k = Σ_ij α_ij · relu(g_ij). The common
 * factor exp(Y) of every weight is left out (it only scales the map). α is 0 wherever g ≤ 0 (its
 * ReLU drops those terms anyway), so a zero denominator never makes a NaN.
 */
const gradCamPlusPlusWeights: ChannelWeights = (g, a) => {
  const axes = spatialAxes(g);
  const g2 = tf.square(g);
  const sumA = tf.sum(a, axes, true);
  const denom = tf.add(tf.mul(2, g2), tf.mul(sumA, tf.mul(g2, g)));
  const valid = tf.logicalAnd(tf.greater(g, 0), tf.greater(denom, 0));
  const alpha = tf.where(valid, tf.div(g2, tf.where(valid, denom, tf.onesLike(denom))), tf.zerosLike(g));
  return tf.sum(tf.mul(alpha, tf.relu(g)), axes);
};

/** A layer's map [B, ...spatial], before the ReLU, from its gradient and activation. */
export type CamCombine = (gradient: tf.Tensor, activation: tf.Tensor) => tf.Tensor;

/** Σ_k w_k A_k with channel weights from the gradient and activation. */
export const byChannel =
  (weightsOf: ChannelWeights): CamCombine =>
  (g, a) =>
    weightedSum(a, weightsOf(g, a));

/** The map of every requested layer from one forward/backward pass, upsampled and averaged. */
export function gradientCam(ctx: Context, options: CamOptions, combine: CamCombine) {
  return layerCams(ctx, options, (layers) => {
    const { gradients, activations } = layerGradient(ctx.model, ctx.x, layers, ctx.target.score, ctx.allRows);
    const maps = layers.map((_, i) => combine(gradients[i], activations[i]));
    tf.dispose(activations); // kept past the gradient's scope by layerGradient
    return maps;
  });
}

/**
 * Grad-CAM: ReLU(Σ_k w_k A_k) with w_k the spatial mean of ∂score/∂A_k, on `layer` (default the last
 * conv layer), upsampled to the input. Raw values, not normalized: [H, W] for one example, [B, H, W]
 * for a batch (the layer's spatial shape with `upsample: false`). A map that is all zero after the
 * ReLU stays zero.
 */
export async function gradCam(model: Model, input: tf.Tensor, options: CamOptions = {}): Promise<Attribution> {
  return explain("gradCam", model, input, options, (ctx) => gradientCam(ctx, options, byChannel(gradCamWeights)));
}

/** Grad-CAM++: like Grad-CAM with the pixel-weighted channel weights of Chattopadhyay et al. */
export async function gradCamPlusPlus(model: Model, input: tf.Tensor, options: CamOptions = {}): Promise<Attribution> {
  return explain("gradCamPlusPlus", model, input, options, (ctx) => gradientCam(ctx, options, byChannel(gradCamPlusPlusWeights)));
}

export interface GuidedGradCamOptions extends CamOptions {
  upsample?: "bilinear" | "nearest";
}

/**
 * Guided Grad-CAM: guided backprop times the Grad-CAM map upsampled to the input; every channel of the
 * guided map is multiplied by the same map, so the result has the input's shape.
 */
export async function guidedGradCam(model: Model, input: tf.Tensor, options: GuidedGradCamOptions = {}): Promise<Attribution> {
  if ((options.upsample as unknown) === false)
    fail(
      'guidedGradCam multiplies the map with the input-sized guided backprop, so it needs upsample "bilinear" or "nearest", not false.',
    );
  return explain("guidedGradCam", model, input, options, (ctx) => {
    const camMap = gradientCam(ctx, options, byChannel(gradCamWeights));
    const guided = inputGradient(ctx.model, ctx.x, ctx.target.score, ctx.allRows, "guided");
    return { values: tf.mul(guided, tf.expandDims(camMap.values, -1)), info: camMap.info };
  });
}
