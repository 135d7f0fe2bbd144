import * as tf from "@tensorflow/tfjs";
import type { ReluMode } from "./relu";

/**
 * The interpreter contract every method runs on; interpreter.ts implements it for LayersModels and
 * graph-interpreter.ts for GraphModels ("layer" then means a node name).
 */
export interface ForwardOptions {
  /** Backward rule for every ReLU. */
  relu?: ReluMode;
  /** Layer names whose outputs to return. */
  capture?: string[];
  /**
   * Tensors added to these layers' outputs. Zeros change nothing forward, and the gradient with
   * respect to one of them is the gradient with respect to that layer's output.
   */
  inject?: Map<string, tf.Tensor>;
  /** Stop at this layer: its output becomes `output`. */
  stopAt?: string;
  /** Start here: use `value` as this layer's output instead of computing what comes before. */
  startAt?: { layer: string; value: tf.Tensor };
  /**
   * Explain pre-activation scores (default true): drop a final softmax (LayersModel), or stop before
   * a final Softmax / Sigmoid / Identity chain (GraphModel).
   */
  logits?: boolean;
}

export interface ForwardPass {
  output: tf.Tensor;
  activations: Map<string, tf.Tensor>;
}
