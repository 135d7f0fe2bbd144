import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { explain, TargetOptions } from "./explain";
import { inputGradient } from "./gradients";

/**
 * Guided backprop (Springenberg et al.): the signed gradient of the target score w.r.t. the input,
 * where every ReLU, fused into a layer or separate, passes back only positive gradients at positive
 * inputs. Shaped like the input.
 */
export async function guidedBackprop(model: Model, input: tf.Tensor, options: TargetOptions = {}): Promise<Attribution> {
  return explain("guidedBackprop", model, input, options, ({ model, x, target, allRows }) => ({
    values: inputGradient(model, x, target.score, allRows, "guided"),
  }));
}

/**
 * Deconvnet (Zeiler & Fergus): the signed backward pass where every ReLU passes back the positive part
 * of the incoming gradient, whatever its forward input was. Max pooling keeps its switches (the
 * gradient goes to each window's maximum). Shaped like the input.
 */
export async function deconvnet(model: Model, input: tf.Tensor, options: TargetOptions = {}): Promise<Attribution> {
  return explain("deconvnet", model, input, options, ({ model, x, target, allRows }) => ({
    values: inputGradient(model, x, target.score, allRows, "deconvnet"),
  }));
}
