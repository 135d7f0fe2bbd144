import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { graphInfo, outputNode } from "./graph";
import { isGraphModel, Model } from "./kind";

/**
 * Accepts a tf.LayersModel or a tf.GraphModel (duck-typed, so a model built with another copy of tfjs
 * is accepted too). A GraphModel must have one input and, if it has several outputs, a chosen one.
 */
export function assertModel(model: unknown, what = "model"): asserts model is Model {
  if (isGraphModel(model)) {
    graphInfo(model);
    outputNode(model);
    return;
  }
  const m = model as Partial<tf.LayersModel> | null;
  const looksLayers = m != null && typeof m === "object" && Array.isArray(m.layers);
  if (!looksLayers) {
    const got = m === null ? "null" : typeof m === "object" ? ((m as object).constructor?.name ?? "object") : typeof m;
    fail(
      `${what} must be a tf.LayersModel or tf.GraphModel (from tf.sequential, tf.model, tf.loadGraphModel or dv.loadModel); got ${got}.`,
    );
  }
  assertLayersModel(model, what);
}

/** The input shape [batch, ...item] of either kind of model, null where any size goes. */
export function inputShape(model: Model): (number | null)[] {
  if (isGraphModel(model)) return graphInfo(model).inputShape;
  return (model as tf.LayersModel).inputs[0].shape;
}

/** For methods that need a LayersModel's layers (weights to randomize, a dense head): say so for a GraphModel. */
export function assertLayersModel(model: unknown, what = "model"): asserts model is tf.LayersModel {
  const m = model as Partial<tf.LayersModel> | null;
  const ok =
    m != null &&
    typeof m === "object" &&
    Array.isArray(m.layers) &&
    Array.isArray(m.inputs) &&
    Array.isArray(m.outputs) &&
    typeof m.predict === "function";
  if (!ok) {
    const got = m === null ? "null" : typeof m === "object" ? ((m as object).constructor?.name ?? "object") : typeof m;
    fail(
      `${what} must be a tf.LayersModel (from tf.sequential, tf.model or dv.loadModel); got ${got}.` +
        (isGraphModel(model)
          ? " This method needs layer objects (weights it can read or change), which a GraphModel does not have."
          : ""),
    );
  }
  // tfjs would fail deep inside a forward pass with "LayersVariable ... is already disposed"
  if ((m!.weights ?? []).some((w) => (w as unknown as { val?: tf.Tensor }).val?.isDisposed)) {
    fail(`${what} has been disposed (model.dispose() frees its weights); load or build it again.`);
  }
  if (m!.inputs!.length !== 1) fail(`${what} has ${m!.inputs!.length} inputs; DeepViz explains single-input models.`);
  if (m!.outputs!.length !== 1) fail(`${what} has ${m!.outputs!.length} outputs; DeepViz explains single-output models.`);
}

export function assertTensor(x: unknown, what: string): asserts x is tf.Tensor {
  if (!(x instanceof tf.Tensor)) {
    const got = x === null ? "null" : Array.isArray(x) ? "an array" : typeof x;
    fail(`${what} must be a tf.Tensor; got ${got}. Wrap data with tf.tensor(...) first.`);
  }
  if (x.isDisposed) fail(`${what} was already disposed.`);
}

/**
 * A count option: a positive integer, and at most `max` when given (a count far beyond that would run
 * for hours without a word; the message says so instead).
 */
export function assertPositiveInt(value: number, name: string, max?: number): void {
  if (!Number.isInteger(value) || value <= 0) fail(`${name} must be a positive integer; got ${value}.`);
  if (max !== undefined && value > max)
    fail(`${name} is ${value}; at most ${max} are allowed (more changes nothing visible and runs for a very long time).`);
}

/** The options argument: undefined means none; anything else must be a plain object. */
export function optionsObject<T extends object>(options: T | undefined, method: string): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    fail(
      `${method}'s options must be an object like { target: 1 }; got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}.`,
    );
  }
  return options;
}

export function assertFinite(x: tf.Tensor, what: string): void {
  const bad = tf.tidy(() => tf.logicalNot(tf.isFinite(x)).any().dataSync()[0]);
  if (bad) fail(`${what} contains NaN or Infinity; clean or normalize it before explaining.`);
}

const fmt = (shape: (number | null)[]) => `[${shape.map((d) => (d == null ? "any" : d)).join(", ")}]`;

/**
 * Checks `input` against the model's input shape and returns it with a batch axis, plus whether the
 * caller passed a batch. The caller owns the returned tensor only when `added` is true.
 */
export function batchInput(model: Model, input: unknown, what = "input"): { x: tf.Tensor; batched: boolean } {
  assertTensor(input, what);
  const expected = inputShape(model); // [null, ...dims]
  const item = expected.slice(1);
  let batched: boolean;
  if (input.rank === expected.length) batched = true;
  else if (input.rank === expected.length - 1) batched = false;
  else {
    fail(
      `${what} has shape ${fmt(input.shape)} but the model expects one example of shape ${fmt(item)} ` +
        `or a batch of shape ${fmt(expected)}.`,
    );
  }
  if (batched && input.shape[0] === 0) fail(`${what} is an empty batch (shape ${fmt(input.shape)}); give at least one example.`);
  const dims = batched ? input.shape.slice(1) : input.shape;
  dims.forEach((d, i) => {
    if (item[i] != null && item[i] !== d) {
      const axis = i === dims.length - 1 && dims.length >= 3 ? " (channels)" : "";
      fail(
        `${what} has shape ${fmt(input.shape)}; axis ${i}${axis} should be ${item[i]} to match the ` +
          `model's input ${fmt(item)}. Resize or convert the image first.`,
      );
    }
  });
  if (input.dtype !== "float32") fail(`${what} must be float32; got ${input.dtype}. Use x.toFloat().`);
  assertFinite(input, what);
  return { x: batched ? input : input.expandDims(0), batched };
}
