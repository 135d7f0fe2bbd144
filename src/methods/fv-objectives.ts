import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { hasSpatialAxes, LayerRef, modelLayers, resolveLayer } from "../model/layers";
import { outputSize } from "../targets";

/**
 * What feature visualisation maximises. Each objective may be weighted and restricted to one image of
 * the batch (`batchIndex`); a list is their weighted sum (e.g. a channel plus diversity).
 */
export type Objective = number | ObjectiveSpec | ObjectiveSpec[];

export type ObjectiveSpec = { weight?: number; batchIndex?: number } & (
  | { kind: "class"; index: number }
  /** A channel's mean activation over positions (a dense layer's unit). */
  | { kind: "channel"; layer: LayerRef; channel: number }
  /** One channel at one position (default: the centre). */
  | { kind: "neuron"; layer: LayerRef; channel: number; position?: [number, number] }
  /** The mean over positions of the activation's dot product with a direction in channel space. */
  | { kind: "direction"; layer: LayerRef; vector: number[] }
  /** Minus the mean cosine similarity between the images' Gram matrices of the layer (Lucid's diversity). */
  | { kind: "diversity"; layer: LayerRef }
  /** The layer's mean squared activation: deep dream. */
  | { kind: "dream"; layer: LayerRef }
);

/** A layer's output, or (`pre`) its value before its activation function. */
export type ReadLayer = (layer: string, pre: boolean) => tf.Tensor;

export interface CompiledObjective {
  /** Layers the objective reads (resolved names): all of them, those read before their activation, and whether it needs the logits. */
  layers: string[];
  preLayers: string[];
  needsOutput: boolean;
  /** The objective's value (to maximise) from the layers it reads and the logits. */
  value(read: ReadLayer, logits: tf.Tensor | null): tf.Scalar;
  /** The class index when the objective is one class logit (for Attribution.target). */
  classIndex: number | null;
  describe: string;
}

/**
 * `preActivation`: channel, neuron and direction objectives read the layer before its ReLU (as Lucid's
 * "pre_relu" tensors): a channel that is below zero everywhere still has a gradient and a value to raise.
 */
export function compileObjective(
  model: tf.LayersModel,
  objective: Objective,
  batch: number,
  preActivation = false,
): CompiledObjective {
  if (objective === undefined || objective === null)
    fail('featureVisualization needs an objective: a class index, { kind: "channel", layer, channel }, … or a list of them.');
  const list = (
    Array.isArray(objective)
      ? objective
      : [typeof objective === "number" ? { kind: "class" as const, index: objective } : objective]
  ) as ObjectiveSpec[];
  if (!list.length) fail("the objective list is empty.");
  const parts = list.map((o) => compileOne(model, o, batch));
  const readsPre = (p: Part) => preActivation && p.selective === true;
  return {
    layers: [...new Set(parts.flatMap((p) => (p.layer ? [p.layer] : [])))],
    preLayers: [...new Set(parts.flatMap((p) => (p.layer && readsPre(p) ? [p.layer] : [])))],
    needsOutput: parts.some((p) => !p.layer),
    value: (read, logits) =>
      tf.tidy(
        () => tf.addN(parts.map((p) => tf.mul(p.value(p.layer ? read(p.layer, readsPre(p)) : logits!), p.weight))) as tf.Scalar,
      ),
    classIndex: list.length === 1 && list[0].kind === "class" ? list[0].index : null,
    describe: parts.map((p) => p.describe).join(" + "),
  };
}

interface Part {
  layer: string | null;
  /** Reads chosen units (channel, neuron, direction), so it may read them before the activation. */
  selective?: boolean;
  weight: number;
  value(t: tf.Tensor): tf.Tensor;
  describe: string;
}

function compileOne(model: tf.LayersModel, o: ObjectiveSpec, batch: number): Part {
  if (!o || typeof o !== "object")
    return fail(`an objective must be a class index or an object with a kind; got ${JSON.stringify(o)}.`);
  const weight = o.weight ?? 1;
  if (typeof weight !== "number" || !Number.isFinite(weight)) fail(`objective weight must be a finite number; got ${o.weight}.`);
  const bi = o.batchIndex;
  if (bi !== undefined && (!Number.isInteger(bi) || bi < 0 || bi >= batch))
    fail(`batchIndex ${bi} is out of range: the batch has ${batch} images (0..${batch - 1}).`);
  // restrict to one image of the batch with a one-hot mask over the batch axis (no gather)
  const pick = (t: tf.Tensor) => {
    if (bi === undefined) return t;
    const m = new Float32Array(batch);
    m[bi] = 1;
    return tf.mul(t, tf.tensor(m, [batch, ...new Array(t.rank - 1).fill(1)]));
  };
  const perImage = (_t: tf.Tensor) => (bi === undefined ? batch : 1);
  if (o.kind === "class") {
    const k = outputSize(model);
    if (!Number.isInteger(o.index) || o.index < 0 || o.index >= k)
      fail(`class ${o.index} is out of range: the model has ${k} outputs (0..${k - 1}).`);
    const mask = oneHot(o.index, k);
    return {
      layer: null,
      weight,
      describe: `class ${o.index}`,
      value: (out) => tf.div(tf.sum(pick(tf.mul(tf.reshape(out, [-1, k]), tf.tensor2d(mask, [1, k])))), perImage(out)),
    };
  }
  if (!("layer" in o))
    return fail(
      `unknown objective kind ${JSON.stringify((o as { kind: unknown }).kind)}; use class, channel, neuron, direction, diversity or dream.`,
    );
  const layer = resolveLayer(model, o.layer);
  const shape = (Array.isArray(layer.outputShape[0]) ? layer.outputShape[0] : layer.outputShape) as number[];
  const channels = shape[shape.length - 1];
  const positions = shape.slice(1, -1).reduce((a, b) => a * b, 1);
  const checkChannel = (c: number) => {
    if (!Number.isInteger(c) || c < 0 || c >= channels)
      fail(`channel ${c} is out of range: layer ${layer.name} has ${channels} channels (0..${channels - 1}).`);
  };
  const channelMask = (c: number) => tf.tensor(oneHot(c, channels), [...new Array(shape.length - 1).fill(1), channels]);
  switch (o.kind) {
    case "channel":
      checkChannel(o.channel);
      return {
        layer: layer.name,
        selective: true,
        weight,
        describe: `${layer.name}:${o.channel}`,
        value: (a) => tf.div(tf.sum(pick(tf.mul(a, channelMask(o.channel)))), positions * perImage(a)),
      };
    case "neuron": {
      checkChannel(o.channel);
      if (!hasSpatialAxes(layer))
        fail(
          `a neuron objective needs a layer with spatial axes; ${layer.name} has shape [${shape.join(", ")}]. Use kind "channel" for a dense unit.`,
        );
      const [h, w] = shape.slice(1, 3);
      const [y, x] = o.position ?? [Math.floor(h / 2), Math.floor(w / 2)];
      if (!Number.isInteger(y) || !Number.isInteger(x) || y < 0 || y >= h || x < 0 || x >= w)
        fail(`position [${y}, ${x}] is outside layer ${layer.name}'s spatial shape [${h}, ${w}].`);
      const m = new Float32Array(h * w * channels);
      m[(y * w + x) * channels + o.channel] = 1;
      return {
        layer: layer.name,
        selective: true,
        weight,
        describe: `${layer.name}:${o.channel}@${y},${x}`,
        value: (a) => tf.div(tf.sum(pick(tf.mul(a, tf.tensor(m, [1, h, w, channels])))), perImage(a)),
      };
    }
    case "direction": {
      if (!Array.isArray(o.vector) || o.vector.length !== channels || o.vector.some((v) => !Number.isFinite(v)))
        fail(`direction vector must hold ${channels} finite numbers (one per channel of ${layer.name}).`);
      const norm = Math.hypot(...o.vector) || 1;
      const v = o.vector.map((x) => x / norm);
      return {
        layer: layer.name,
        selective: true,
        weight,
        describe: `${layer.name}·direction`,
        value: (a) =>
          tf.div(
            tf.sum(pick(tf.mul(a, tf.tensor(v, [...new Array(shape.length - 1).fill(1), channels])))),
            positions * perImage(a),
          ),
      };
    }
    case "diversity":
      if (batch < 2) fail("a diversity objective needs a batch of at least 2 images (option batch).");
      return {
        layer: layer.name,
        weight,
        describe: `diversity(${layer.name})`,
        value: (a) => {
          const flat = tf.reshape(a, [batch, -1, channels]);
          const gram = tf.reshape(tf.div(tf.matMul(flat, flat, true, false), positions), [batch, channels * channels]);
          const unit = tf.div(gram, tf.add(tf.norm(gram, 2, 1, true), 1e-8));
          const sim = tf.matMul(unit, unit, false, true);
          return tf.neg(tf.div(tf.sub(tf.sum(sim), tf.sum(tf.mul(sim, tf.eye(batch)))), batch * (batch - 1)));
        },
      };
    case "dream":
      return {
        layer: layer.name,
        weight,
        describe: `dream(${layer.name})`,
        value: (a) => tf.div(tf.sum(pick(tf.square(a))), (a.size / a.shape[0]) * perImage(a)),
      };
    default:
      return fail(
        `unknown objective kind ${JSON.stringify((o as { kind: unknown }).kind)}; use class, channel, neuron, direction, diversity or dream.`,
      );
  }
}

function oneHot(i: number, n: number): Float32Array {
  const m = new Float32Array(n);
  m[i] = 1;
  return m;
}

/** The deepest of these layers in execution order (the pass can stop there). */
export function deepest(model: tf.LayersModel, names: string[]): string {
  const order = modelLayers(model).map((l) => l.name);
  return names.reduce((a, b) => (order.indexOf(b) > order.indexOf(a) ? b : a));
}
