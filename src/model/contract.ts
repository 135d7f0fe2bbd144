import * as tf from "@tensorflow/tfjs";
import type { NodeRule } from "./graph-ops";
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
  /**
   * Backward rule per layer (LRP, DeepLift, feature visualisation's redirected ReLU): called for each
   * layer's linear part and for its activation; it may compute that part its own way (usually the same
   * value with a different gradient) or return undefined to keep the default. For LayersModels (rules are
   * keyed by layer class and read layer weights); the GraphModel interpreter calls `nodeRule` instead.
   */
  rule?: LayerRule;
  /** The same per node of a GraphModel (src/model/graph-ops.ts says which ops it is offered); LayersModels ignore it. */
  nodeRule?: NodeRule;
}

/** One part of one layer, as the LayersModel interpreter is about to apply it. */
export interface LayerStep {
  layer: tf.layers.Layer;
  /** "linear": the layer without its activation (the whole layer when it has none); "activation": its nonlinearity. */
  part: "linear" | "activation";
  input: tf.Tensor | tf.Tensor[];
  /** The default computation of this part. */
  apply: (input: tf.Tensor | tf.Tensor[]) => tf.Tensor;
}

export type LayerRule = (step: LayerStep) => tf.Tensor | undefined;

export interface ForwardPass {
  output: tf.Tensor;
  activations: Map<string, tf.Tensor>;
}
