import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { RunOptions } from "../core/work";
import { fail } from "../errors";
import { forward } from "../model/interpreter";
import { LayerRef, modelLayers, resolveLayer } from "../model/layers";
import { assertModel } from "../model/validate";
import { lossOf, outputSize } from "../targets";
import { explain, explainEach, TargetOptions } from "./explain";
import { layerGradient } from "./gradients";

export interface LayerOptions extends RunOptions {
  /** Layer name, index (see dv.listLayers) or "lastConv". */
  layer: LayerRef;
}

/** The activations (outputs) of one layer, shaped like the layer's output. */
export async function layerActivation(model: Model, input: tf.Tensor, options: LayerOptions): Promise<Attribution> {
  assertModel(model);
  const layer = resolveLayer(model, requireLayer(options));
  return explain(
    "layerActivation",
    model,
    input,
    options,
    ({ model, x }) => ({
      values: forward(model, x, { stopAt: layer.name }).output,
      info: { layer: layer.name },
    }),
    { targeted: false },
  );
}

export interface LayerGradientsOptions extends TargetOptions {
  /** Layers to differentiate w.r.t. (default every layer). */
  layers?: LayerRef[];
  /** Gradient of the target's pre-softmax score (default) or of its cross-entropy loss. */
  of?: "score" | "loss";
}

/**
 * Gradient of the score (or loss) w.r.t. every chosen layer's output, all from one backward pass.
 * One Attribution per layer, in model order.
 */
export async function layerGradients(
  model: Model,
  input: tf.Tensor,
  options: LayerGradientsOptions = {},
): Promise<Attribution[]> {
  assertModel(model);
  const layers = (options.layers ?? modelLayers(model)).map((l) => resolveLayer(model, l).name);
  const of = options.of ?? "score";
  if (of !== "score" && of !== "loss") fail(`of must be "score" or "loss"; got ${of}.`);
  return explainEach("layerGradients", model, input, options, ({ model, x, target, allRows }) => {
    const score = of === "loss" ? lossOf(target, outputSize(model)) : target.score;
    const { gradients, activations } = layerGradient(model, x, layers, score, allRows);
    tf.dispose(activations);
    return gradients.map((values, i) => ({ values, info: { layer: layers[i], of } }));
  });
}

export interface NeuronGradientOptions extends LayerOptions {
  /** Channel (last axis) of the layer; omitted: the whole layer. */
  channel?: number;
  /** Spatial position (the axes between batch and channel); omitted: summed over all positions. */
  position?: number[];
  /** Backward rule for ReLUs ("guided" gives the guided-backprop view of a neuron). */
  relu?: "normal" | "guided" | "deconvnet";
}

/**
 * Gradient w.r.t. the input of one layer's output summed over a selection: the whole layer, one
 * channel, or one neuron (channel at a position). Equivalent to setting that selection's gradient to
 * one and backpropagating.
 */
export async function neuronGradient(model: Model, input: tf.Tensor, options: NeuronGradientOptions): Promise<Attribution> {
  assertModel(model);
  const layer = resolveLayer(model, requireLayer(options));
  const shape = (Array.isArray(layer.outputShape[0]) ? layer.outputShape[0] : layer.outputShape) as (number | null)[];
  const mask = selectionMask(shape.slice(1) as number[], options, layer.name);
  return explain(
    "neuronGradient",
    model,
    input,
    options,
    ({ model, x }) => {
      const m = tf.tensor(mask, [1, ...(shape.slice(1) as number[])]);
      const selected = (out: tf.Tensor) => tf.sum(tf.reshape(tf.mul(out, m), [out.shape[0], -1]), 1) as tf.Tensor1D;
      const run = (xx: tf.Tensor) => forward(model, xx, { relu: options.relu, stopAt: layer.name, logits: false }).output;
      return {
        values: tf.grad((xx: tf.Tensor) => tf.sum(selected(run(xx))))(x),
        info: { layer: layer.name, channel: options.channel, position: options.position },
      };
    },
    { targeted: false },
  );
}

function requireLayer(options: { layer?: LayerRef } | undefined): LayerRef {
  if (!options || options.layer === undefined) fail('this method needs a layer: { layer: "name" }, an index, or "lastConv".');
  return options.layer;
}

function selectionMask(shape: number[], options: NeuronGradientOptions, name: string): Float32Array {
  if (shape.some((d) => d == null)) fail(`layer ${name} has an unknown output size; build the model with a fixed input shape.`);
  const size = shape.reduce((a, b) => a * b, 1);
  const mask = new Float32Array(size);
  const channels = shape[shape.length - 1];
  const spatial = shape.slice(0, -1);
  const { channel, position } = options;
  if (channel !== undefined && (!Number.isInteger(channel) || channel < 0 || channel >= channels)) {
    fail(`channel ${channel} is out of range: layer ${name} has ${channels} channels (0..${channels - 1}).`);
  }
  if (position !== undefined) {
    if (position.length !== spatial.length || position.some((p, i) => !Number.isInteger(p) || p < 0 || p >= spatial[i])) {
      fail(`position [${position.join(", ")}] is outside layer ${name}'s spatial shape [${spatial.join(", ")}].`);
    }
  }
  for (let i = 0; i < size; i++) {
    const c = i % channels;
    if (channel !== undefined && c !== channel) continue;
    if (position !== undefined) {
      let rest = Math.floor(i / channels);
      let inside = true;
      for (let a = spatial.length - 1; a >= 0; a--) {
        if (rest % spatial[a] !== position[a]) inside = false;
        rest = Math.floor(rest / spatial[a]);
      }
      if (!inside) continue;
    }
    mask[i] = 1;
  }
  return mask;
}
