import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { explain, TargetOptions } from "./explain";
import { inputGradient } from "./gradients";

export interface SaliencyOptions extends TargetOptions {
  /** Absolute value of the gradient (Simonyan et al.); false keeps the sign. Default true. */
  abs?: boolean;
}

/** Vanilla gradient of the target score (pre-softmax) w.r.t. the input. */
export async function saliency(model: Model, input: tf.Tensor, options: SaliencyOptions = {}): Promise<Attribution> {
  return explain("saliency", model, input, options, ({ model, x, target, allRows }) => {
    const g = inputGradient(model, x, target.score, allRows);
    return { values: options.abs === false ? g : tf.abs(g), info: { abs: options.abs !== false } };
  });
}

/** Gradient × input: the first-order Taylor contribution of each input element. */
export async function inputXGradient(model: Model, input: tf.Tensor, options: TargetOptions = {}): Promise<Attribution> {
  return explain("inputXGradient", model, input, options, ({ model, x, target, allRows }) => ({
    values: tf.mul(inputGradient(model, x, target.score, allRows), x),
  }));
}
