import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { activationName, isModel } from "./layers";
import { clippedRelu, relu, ReluMode } from "./relu";
import { finalActivation, nodeShape, scoreNode } from "./graph";
import { forwardGraph } from "./graph-interpreter";
import { isGraphModel, Model } from "./kind";

/**
 * One interpreter contract for every method, with two implementations: this file runs a LayersModel
 * layer by layer over its symbolic graph (Sequential, functional, nested models), and
 * graph-interpreter.ts runs a GraphModel node by node ("layer" then means a node name). It applies
 * each layer's activation separately, so fused `activation: "relu"` behaves like a separate ReLU layer
 * and its gradient can be swapped; it runs Conv2D and Dense with unfused ops, whose input gradient
 * needs no filter-gradient kernel.
 */
export type { ForwardOptions, ForwardPass } from "./contract";
import type { ForwardOptions, ForwardPass } from "./contract";
export type { LayerRule, LayerStep } from "./contract";
export type { NodeRule, NodeStep } from "./graph-ops";
import type { LayerRule, LayerStep } from "./contract";

/** Layer classes that are a nonlinearity only (their "linear" part is the identity). */
const ACTIVATION_LAYERS = new Set(["ReLU", "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax", "Activation"]);

type Sym = tf.SymbolicTensor;
interface Node {
  inputTensors: Sym[];
  callArgs?: tf.serialization.ConfigDict;
}
const LINEAR = { apply: (x: tf.Tensor) => x, getClassName: () => "linear" };

/** Whether the model's final output passes through a softmax (as a fused activation or a layer). */
export function endsInSoftmax(model: Model): boolean {
  if (isGraphModel(model)) return finalActivation(model) === "Softmax";
  const last = model.outputs[0].sourceLayer;
  if (isModel(last)) return endsInSoftmax(last);
  return activationName(last) === "softmax" || last.getClassName() === "Softmax";
}

/** Shape [batch, ...] of the scores that targets select from (the pre-activation output). */
export function scoreShape(model: Model): (number | null)[] {
  if (isGraphModel(model)) {
    const shape = nodeShape(model, scoreNode(model));
    if (!shape) fail("this GraphModel's output size is only known at run time; give targets as functions of the output.");
    return shape;
  }
  return model.outputs[0].shape;
}

export function forward(model: Model, x: tf.Tensor, options: ForwardOptions = {}): ForwardPass {
  if (isGraphModel(model)) return forwardGraph(model, x, options);
  const mode = options.relu ?? "normal";
  const activations = new Map<string, tf.Tensor>();
  const capture = new Set(options.capture ?? []);
  const logits = options.logits ?? true;
  const outputLayer = finalLayer(model);
  let reachedStart = options.startAt == null;

  const evaluate = (m: tf.LayersModel, inputValue: tf.Tensor, target: Sym): tf.Tensor => {
    const memo = new Map<number, tf.Tensor>();
    const inputSym = m.inputs[0];
    const value = (s: Sym): tf.Tensor => {
      const cached = memo.get(s.id);
      if (cached) return cached;
      let out: tf.Tensor;
      const layer = s.sourceLayer as tf.layers.Layer;
      if (s.id === inputSym.id || layer.getClassName() === "InputLayer") {
        out = inputValue;
      } else if (options.startAt && layer.name === options.startAt.layer) {
        out = options.startAt.value;
        reachedStart = true;
      } else {
        const node = (layer as unknown as { inboundNodes: Node[] }).inboundNodes[s.nodeIndex];
        const inputs = node.inputTensors.map(value);
        if (isModel(layer)) {
          if (inputs.length !== 1)
            fail(`nested model ${layer.name} has ${inputs.length} inputs; only single-input nested models are supported.`);
          out = evaluate(layer, inputs[0], layer.outputs[s.tensorIndex]);
        } else {
          out = applyLayer(
            layer,
            inputs.length === 1 ? inputs[0] : inputs,
            node.callArgs ?? {},
            mode,
            logits && layer === outputLayer,
            options.rule,
          );
        }
        const extra = options.inject?.get(layer.name);
        if (extra) out = tf.add(out, extra);
        if (capture.has(layer.name)) activations.set(layer.name, out);
      }
      memo.set(s.id, out);
      return out;
    };
    return value(target);
  };

  let target = model.outputs[0];
  if (options.stopAt) target = symbolicOutput(model, options.stopAt);
  const output = evaluate(model, x, target);
  if (!reachedStart) fail(`startAt layer "${options.startAt!.layer}" is not on the path to the output.`);
  for (const name of capture) if (!activations.has(name)) fail(`layer "${name}" was not reached in this pass.`);
  return { output, activations };
}

function finalLayer(model: tf.LayersModel): tf.layers.Layer {
  const last = model.outputs[0].sourceLayer as tf.layers.Layer;
  return isModel(last) ? finalLayer(last) : last;
}

/** The symbolic output of a named layer, searching nested models too. */
function symbolicOutput(model: tf.LayersModel, name: string): Sym {
  for (const layer of model.layers) {
    if (layer.name === name) return layer.output as Sym;
    if (isModel(layer)) {
      try {
        return symbolicOutput(layer, name);
      } catch {
        /* not in this one */
      }
    }
  }
  return fail(`no layer named "${name}".`);
}

function applyLayer(
  layer: tf.layers.Layer,
  input: tf.Tensor | tf.Tensor[],
  kwargs: tf.serialization.ConfigDict,
  mode: ReluMode,
  isFinal: boolean,
  rule?: LayerRule,
): tf.Tensor {
  const step = (part: LayerStep["part"], value: tf.Tensor | tf.Tensor[], apply: LayerStep["apply"]): tf.Tensor =>
    (rule && rule({ layer, part, input: value, apply })) ?? apply(value);
  const cls = layer.getClassName();
  const act = activationName(layer);
  let pre: tf.Tensor;
  if (cls === "Conv2D" && !Array.isArray(input) && channelsLast(layer))
    pre = step("linear", input, (t) => conv2d(layer, t as tf.Tensor));
  else if (cls === "Dense" && !Array.isArray(input)) pre = step("linear", input, (t) => dense(layer, t as tf.Tensor));
  // Activation layers land here too: their activation is applied below like a fused one.
  else if (act !== undefined) {
    const linear = (t: tf.Tensor | tf.Tensor[]) => withoutActivation(layer, () => layer.apply(t, kwargs) as tf.Tensor);
    pre = cls === "Activation" ? linear(input) : step("linear", input, linear);
  } else if (cls === "ReLU") return step("activation", input, (t) => reluLayer(layer, t as tf.Tensor, mode));
  else if (isFinal && cls === "Softmax") return input as tf.Tensor;
  else return step(ACTIVATION_LAYERS.has(cls) ? "activation" : "linear", input, (t) => layer.apply(t, kwargs) as tf.Tensor);
  return activate(layer, pre, mode, isFinal, step);
}

function activate(
  layer: tf.layers.Layer,
  pre: tf.Tensor,
  mode: ReluMode,
  isFinal: boolean,
  step: (part: "activation", value: tf.Tensor, apply: LayerStep["apply"]) => tf.Tensor,
): tf.Tensor {
  const act = activationName(layer);
  if (act === undefined || act === "linear") return pre;
  if (act === "relu") return step("activation", pre, (t) => relu(t as tf.Tensor, mode));
  if (act === "relu6") return step("activation", pre, (t) => clippedRelu(t as tf.Tensor, 6, mode));
  if (act === "softmax" && isFinal) return pre;
  const fn = (layer as unknown as { activation: { apply(t: tf.Tensor): tf.Tensor } }).activation;
  return step("activation", pre, (t) => fn.apply(t as tf.Tensor));
}

/** A ReLU layer, clipped when it has a maxValue (ReLU6 and the like): every kind takes the mode's rule. */
function reluLayer(layer: tf.layers.Layer, x: tf.Tensor, mode: ReluMode): tf.Tensor {
  const max = layer.getConfig().maxValue as number | null | undefined;
  return max == null ? relu(x, mode) : clippedRelu(x, max, mode);
}

function channelsLast(layer: tf.layers.Layer): boolean {
  return (layer.getConfig().dataFormat ?? "channelsLast") === "channelsLast";
}

function withoutActivation<T>(layer: tf.layers.Layer, run: () => T): T {
  const holder = layer as unknown as { activation: unknown };
  const saved = holder.activation;
  holder.activation = LINEAR;
  try {
    return run();
  } finally {
    holder.activation = saved;
  }
}

interface ConvLike {
  kernel: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor } | null;
  strides: number[];
  padding: "same" | "valid" | "causal";
  dilationRate: number | number[];
}

function conv2d(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor {
  const l = layer as unknown as ConvLike;
  if (l.padding === "causal") fail(`layer ${layer.name}: causal padding is not supported for Conv2D.`);
  const d = l.dilationRate;
  const dilations: [number, number] = typeof d === "number" ? [d, d] : [d[0], d[1] ?? d[0]];
  const y = tf.conv2d(
    x as tf.Tensor4D,
    l.kernel.read() as tf.Tensor4D,
    [l.strides[0], l.strides[1]],
    l.padding,
    "NHWC",
    dilations,
  );
  return l.bias ? tf.add(y, l.bias.read()) : y;
}

function dense(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor {
  const l = layer as unknown as ConvLike;
  const w = l.kernel.read() as tf.Tensor2D;
  const flat = x.rank === 2 ? (x as tf.Tensor2D) : (tf.reshape(x, [-1, x.shape[x.rank - 1]]) as tf.Tensor2D);
  let y: tf.Tensor = tf.matMul(flat, w);
  if (x.rank !== 2) y = tf.reshape(y, [...x.shape.slice(0, -1), w.shape[1]]);
  return l.bias ? tf.add(y, l.bias.read()) : y;
}
