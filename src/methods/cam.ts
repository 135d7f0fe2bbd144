import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { camHead } from "../model/head";
import { Model } from "../model/kind";
import { assertChannelsLast, LayerRef, resolveLayer } from "../model/layers";
import { assertModel } from "../model/validate";
import { camInfo, CamOptions, upsample, upsampleMode, weightedSum } from "./cam-maps";
import { explain } from "./explain";
import { layerGradient } from "./gradients";

export interface ClassActivationMapOptions extends Omit<CamOptions, "layer"> {
  /** Optional: CAM always reads the layer that the global average pooling pools; naming another is an error. */
  layer?: LayerRef;
}

/**
 * CAM (Zhou et al. 2016) for a model ending in global average pooling + dense (+ softmax):
 * map = Σ_k W[k, c] A_k, where A is the pooled layer's output and W the dense kernel; no ReLU by
 * default (as in the paper; `relu: true` adds it). The dense bias is left out. For a function target,
 * W[k, c] becomes Σ_c W[k, c] ∂score/∂logit_c, which is W[k, c] itself for a class target.
 * `info.layer` names the pooled layer. Shapes as in dv.gradCam.
 */
export async function cam(model: Model, input: tf.Tensor, options: ClassActivationMapOptions = {}): Promise<Attribution> {
  assertModel(model);
  const { scores, pooled, kernel: readKernel } = camHead(model);
  if (options.layer !== undefined && options.layer !== "lastConv" && resolveLayer(model, options.layer).name !== pooled) {
    fail(
      `CAM reads the layer that the global average pooling pools, "${pooled}"; for layer ` +
        `"${resolveLayer(model, options.layer).name}" use dv.gradCam, which takes any layer.`,
    );
  }
  assertChannelsLast(model, resolveLayer(model, pooled));
  const mode = upsampleMode(options.upsample);
  const relu = options.relu ?? false;
  return explain("cam", model, input, options, ({ model, x, target, allRows }) => {
    const { gradients, activations } = layerGradient(model, x, [pooled, scores], target.score, allRows);
    const kernel = readKernel();
    const dScore = tf.reshape(gradients[1], [x.shape[0], -1]) as tf.Tensor2D;
    const weights = tf.matMul(dScore, kernel, false, true); // [B, C] · [K, C]ᵀ → [B, K]
    const sum = weightedSum(activations[0], weights);
    tf.dispose(activations);
    return { values: upsample(relu ? tf.relu(sum) : sum, x, mode), info: camInfo([pooled], relu, mode) };
  });
}
