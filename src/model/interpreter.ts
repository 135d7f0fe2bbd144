import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { activationName, isModel } from "./layers";
import { relu, ReluMode } from "./relu";

/**
 * One interpreter for every method: runs a LayersModel layer by layer over its symbolic graph
 * (Sequential, functional, nested models). It applies each layer's activation separately, so fused
 * `activation: "relu"` behaves like a separate ReLU layer and its gradient can be swapped; it runs
 * Conv2D and Dense with unfused ops, whose input gradient needs no filter-gradient kernel.
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
  /** Drop a final softmax so scores are pre-softmax (default true). */
  logits?: boolean;
  /**
   * Backward rule per layer (LRP, DeepLift): called for each layer's linear part and for its activation;
   * it may compute that part its own way (usually the same value with a different gradient) or return
   * undefined to keep the default. LayersModels only: the rule is keyed by layer class and weights.
   */
  rule?: LayerRule;
}

/** One part of one layer, as the interpreter is about to apply it. */
export interface LayerStep {
  layer: tf.layers.Layer;
  /** "linear": the layer without its activation (the whole layer when it has none); "activation": its nonlinearity. */
  part: "linear" | "activation";
  input: tf.Tensor | tf.Tensor[];
  /** The default computation of this part. */
  apply: (input: tf.Tensor | tf.Tensor[]) => tf.Tensor;
}

export type LayerRule = (step: LayerStep) => tf.Tensor | undefined;

/** Layer classes that are a nonlinearity only (their "linear" part is the identity). */
const ACTIVATION_LAYERS = new Set(["ReLU", "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax", "Activation"]);

export interface ForwardPass {
  output: tf.Tensor;
  activations: Map<string, tf.Tensor>;
}

type Sym = tf.SymbolicTensor;
interface Node { inputTensors: Sym[]; callArgs?: tf.serialization.ConfigDict }
const LINEAR = { apply: (x: tf.Tensor) => x, getClassName: () => "linear" };

/** Whether the model's final output passes through a softmax (as a fused activation or a layer). */
export function endsInSoftmax(model: tf.LayersModel): boolean {
  const last = model.outputs[0].sourceLayer;
  if (isModel(last)) return endsInSoftmax(last);
  return activationName(last) === "softmax" || last.getClassName() === "Softmax";
}

export function forward(model: tf.LayersModel, x: tf.Tensor, options: ForwardOptions = {}): ForwardPass {
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
          if (inputs.length !== 1) fail(`nested model ${layer.name} has ${inputs.length} inputs; only single-input nested models are supported.`);
          out = evaluate(layer, inputs[0], layer.outputs[s.tensorIndex]);
        } else {
          out = applyLayer(layer, inputs.length === 1 ? inputs[0] : inputs, node.callArgs ?? {},
            mode, logits && layer === outputLayer, options.rule);
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
      try { return symbolicOutput(layer, name); } catch { /* not in this one */ }
    }
  }
  return fail(`no layer named "${name}".`);
}

function applyLayer(layer: tf.layers.Layer, input: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict,
  mode: ReluMode, isFinal: boolean, rule?: LayerRule): tf.Tensor {
  const step = (part: LayerStep["part"], value: tf.Tensor | tf.Tensor[], apply: LayerStep["apply"]): tf.Tensor =>
    (rule && rule({ layer, part, input: value, apply })) ?? apply(value);
  const cls = layer.getClassName();
  const act = activationName(layer);
  let pre: tf.Tensor;
  if (cls === "Conv2D" && !Array.isArray(input) && channelsLast(layer)) pre = step("linear", input, (t) => conv2d(layer, t as tf.Tensor));
  else if (cls === "Dense" && !Array.isArray(input)) pre = step("linear", input, (t) => dense(layer, t as tf.Tensor));
  // Activation layers land here too: their activation is applied below like a fused one.
  else if (act !== undefined) {
    const linear = (t: tf.Tensor | tf.Tensor[]) => withoutActivation(layer, () => layer.apply(t, kwargs) as tf.Tensor);
    pre = cls === "Activation" ? linear(input) : step("linear", input, linear);
  } else if (cls === "ReLU" && layer.getConfig().maxValue == null) return step("activation", input, (t) => relu(t as tf.Tensor, mode));
  else if (isFinal && cls === "Softmax") return input as tf.Tensor;
  else return step(ACTIVATION_LAYERS.has(cls) ? "activation" : "linear", input, (t) => layer.apply(t, kwargs) as tf.Tensor);
  return activate(layer, pre, mode, isFinal, step);
}

function activate(layer: tf.layers.Layer, pre: tf.Tensor, mode: ReluMode, isFinal: boolean,
  step: (part: "activation", value: tf.Tensor, apply: LayerStep["apply"]) => tf.Tensor): tf.Tensor {
  const act = activationName(layer);
  if (act === undefined || act === "linear") return pre;
  if (act === "relu") return step("activation", pre, (t) => relu(t as tf.Tensor, mode));
  if (act === "softmax" && isFinal) return pre;
  const fn = (layer as unknown as { activation: { apply(t: tf.Tensor): tf.Tensor } }).activation;
  return step("activation", pre, (t) => fn.apply(t as tf.Tensor));
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
  const y = tf.conv2d(x as tf.Tensor4D, l.kernel.read() as tf.Tensor4D, [l.strides[0], l.strides[1]],
    l.padding, "NHWC", dilations);
  return l.bias ? tf.add(y, l.bias.read()) : y;
}

function dense(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor {
  const l = layer as unknown as ConvLike;
  const w = l.kernel.read() as tf.Tensor2D;
  const flat = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, x.shape[x.rank - 1]]) as tf.Tensor2D;
  let y: tf.Tensor = tf.matMul(flat, w);
  if (x.rank !== 2) y = tf.reshape(y, [...x.shape.slice(0, -1), w.shape[1]]);
  return l.bias ? tf.add(y, l.bias.read()) : y;
}
