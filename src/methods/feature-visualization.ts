import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../attribution";
import { backend } from "../backend";
import { fail } from "../errors";
import { mulberry32 } from "../core/random";
import { forward, LayerRule } from "../model/interpreter";
import { stopGradient } from "../model/probe";
import { activationName } from "../model/layers";
import { LayerRef, resolveLayer } from "../model/layers";
import { assertLayersModel, assertPositiveInt, batchInput } from "../model/validate";
import { RunOptions, Work } from "../core/work";
import { makeParam, Parameterization } from "./fv-image";
import { compileObjective, deepest, Objective, ObjectiveSpec } from "./fv-objectives";
import { randomWarp, Transforms } from "./fv-transforms";

export interface Regularizers {
  /** Total variation: mean absolute difference of neighbouring pixels. */
  tv?: number;
  /** Mean |x − mid-grey|. */
  l1?: number;
  /** Mean (x − mid-grey)². */
  l2?: number;
  /** Mean squared distance to a 3×3 blur of the image (pulls towards smooth images). */
  blur?: number;
}

export interface FeatureVisualizationOptions extends RunOptions {
  /** What to maximise: a class index, an objective, or a list of weighted objectives (summed). */
  objective: Objective;
  /** Images optimised together (default 1, or the start images' batch). */
  batch?: number;
  /**
   * Channel, neuron and direction objectives read the layer before its ReLU (Lucid's "pre_relu" tensors;
   * default false: after it, what `layerActivation` shows). Either way a channel that is off for every image
   * near the grey start gets a gradient: after the ReLU through the redirected ReLU.
   */
  preActivation?: boolean;
  /** Adam steps (default 256). */
  steps?: number;
  /** Adam's learning rate (default 0.05). */
  learningRate?: number;
  /** "fourier" (default; decorrelated 1/f spectrum) or "pixel" (default when starting from an image). */
  parameterization?: Parameterization;
  /** Mix RGB through natural images' colour correlation (default true). */
  decorrelate?: boolean;
  /** Random shift, scale and rotation before each step; false turns them off. */
  transforms?: Transforms | false;
  regularizers?: Regularizers;
  /** Deep dream: start from this image ([H, W, C] or a batch) instead of noise. */
  image?: tf.Tensor;
  /** The model's input range (default [0, 1]). */
  range?: [number, number];
  seed?: number;
}

/**
 * Feature visualisation (Olah et al. 2017; Lucid, Lucent): optimise an image, through a decorrelated
 * Fourier parameterisation and random transforms, to maximise an objective (class logit, channel,
 * neuron, direction, diversity, deep dream) minus regularisers. `values`: the image(s) in `range`;
 * `info.scores`: the objective after each step. Shows itself as the image or a grid.
 */
export async function featureVisualization(model: tf.LayersModel, options: FeatureVisualizationOptions): Promise<Attribution> {
  assertLayersModel(model);
  await backend();
  if (!options || typeof options !== "object")
    fail(
      'featureVisualization needs options with an objective, e.g. { objective: { kind: "channel", layer: "conv3", channel: 0 } }.',
    );
  const shape = model.inputs[0].shape.slice(1) as number[];
  if (shape.length !== 3 || shape.some((d) => d == null))
    fail(`featureVisualization needs a model with a fully known image input [H, W, C]; this one takes [${shape.join(", ")}].`);
  const [h, w, c] = shape;
  const steps = options.steps ?? 256;
  assertPositiveInt(steps, "steps");
  const lr = options.learningRate ?? 0.05;
  if (!(lr > 0) || !Number.isFinite(lr)) fail(`learningRate must be a positive number; got ${lr}.`);
  const range = options.range ?? [0, 1];
  if (!(range[1] > range[0])) fail(`range must be [low, high] with low < high; got [${range.join(", ")}].`);
  // the start image becomes a tensor only after every check, so that no failure leaves it behind
  const dreaming = options.image !== undefined;
  const imageBatch = dreaming ? (options.image!.rank === 4 ? options.image!.shape[0] : 1) : undefined;
  const batch = options.batch ?? imageBatch ?? 1;
  assertPositiveInt(batch, "batch");
  if (imageBatch !== undefined && imageBatch !== batch) fail(`batch is ${batch} but the start image batch holds ${imageBatch}.`);
  const kind = options.parameterization ?? (dreaming ? "pixel" : "fourier");
  if (kind !== "fourier" && kind !== "pixel") fail(`parameterization must be "fourier" or "pixel"; got ${JSON.stringify(kind)}.`);
  if (dreaming && kind === "fourier") fail('starting from an image needs parameterization "pixel" (the default with an image).');
  const transforms =
    options.transforms === false
      ? { jitter: 0, scale: 0, rotate: 0 }
      : { jitter: Math.max(1, Math.round(w / 32)), scale: 0.05, rotate: 5, ...options.transforms };
  const reg = { tv: 0, l1: 0, l2: 0, blur: 0, ...options.regularizers };
  for (const [name, v] of Object.entries(reg))
    if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v))
      fail(`regularizer ${name} must be a finite weight ≥ 0; got ${v}.`);
  const readBefore = options.preActivation ?? false;
  if (typeof readBefore !== "boolean") fail(`preActivation must be true or false; got ${JSON.stringify(readBefore)}.`);
  const objective = compileObjective(model, options.objective, batch, readBefore);
  const preLayers = new Set(objective.preLayers);
  const random = mulberry32(options.seed ?? 0);
  const stopAt = objective.needsOutput ? undefined : deepest(model, objective.layers);
  const mid = (range[0] + range[1]) / 2;
  const work = new Work("featureVisualization", options).plan(steps, "steps");
  work.throwIfAborted();
  const start = dreaming ? (batchInput(model, options.image!, "image").x as tf.Tensor4D) : undefined;

  const param = makeParam(kind, {
    batch,
    height: h,
    width: w,
    channels: c,
    range,
    decorrelate: options.decorrelate ?? true,
    random,
    start,
  });
  const optimizer = tf.train.adam(lr);
  const initial = param.render();
  const scores: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      let value: tf.Scalar | null = null;
      const cost = optimizer.minimize(
        () => {
          const img = param.render();
          const seen = randomWarp(img, transforms, random);
          const pre = new Map<string, tf.Tensor>();
          const rule: LayerRule = (s) => {
            if (s.part === "activation" && preLayers.has(s.layer.name) && !Array.isArray(s.input)) pre.set(s.layer.name, s.input);
            return redirectedRelu(s);
          };
          const pass = forward(model, seen, { capture: objective.layers, stopAt, logits: true, rule });
          // a layer without an activation function: its output is its pre-activation
          const read = (layer: string, before: boolean) => (before && pre.get(layer)) || pass.activations.get(layer)!;
          const obj = objective.value(read, objective.needsOutput ? pass.output : null);
          value = tf.keep(tf.clone(obj));
          return tf.neg(tf.sub(obj, penalty(img, reg, mid))) as tf.Scalar;
        },
        true,
        [param.variable],
      );
      cost?.dispose();
      scores.push(value ? (value as tf.Scalar).dataSync()[0] : NaN);
      (value as tf.Scalar | null)?.dispose();
      await work.step(1);
    }
    const images = param.render();
    const values = batch === 1 && !(options.image && options.image.rank === 4) ? tf.tidy(() => tf.squeeze(images, [0])) : images;
    if (values !== images) images.dispose();
    const input = batch === 1 && values.rank === 3 ? tf.tidy(() => tf.squeeze(initial, [0])) : tf.clone(initial);
    const layers = objective.layers;
    work.end();
    return new Attribution(
      values,
      "featureVisualization",
      input,
      objective.classIndex === null ? null : [objective.classIndex],
      values.rank === 4,
      {
        scores,
        steps,
        objective: objective.describe,
        parameterization: kind,
        layer: layers.length === 1 ? layers[0] : undefined,
      },
    );
  } catch (e) {
    work.end(e);
    throw e;
  } finally {
    initial.dispose();
    param.dispose();
    optimizer.dispose();
    if (start && start !== options.image) start.dispose();
  }
}

/**
 * Lucid's redirected ReLU: where an image's whole ReLU output passes no gradient (every unit off), the
 * gradient still flows through the off units that ascent would turn on, so a channel that starts dead
 * can be reached. Images that already get a gradient keep the ordinary one.
 */
const redirectedRelu: LayerRule = ({ layer, part, input }) => {
  const isRelu = layer.getClassName() === "ReLU" ? layer.getConfig().maxValue == null : activationName(layer) === "relu";
  if (part !== "activation" || !isRelu || Array.isArray(input)) return undefined;
  const z = stopGradient(input);
  const redirect = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([z]);
    return {
      value: tf.zerosLike(x),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], [saved]: tf.Tensor[]) => {
        // dy is the gradient of the cost (minus the objective): dy < 0 means ascent raises the unit
        const g = dy as tf.Tensor;
        const on = tf.greater(saved, 0);
        const plain = tf.mul(g, tf.cast(on, "float32"));
        const redirected = tf.mul(g, tf.cast(tf.logicalOr(on, tf.less(g, 0)), "float32"));
        const flowing = tf.greater(tf.sum(tf.abs(tf.reshape(plain, [g.shape[0], -1])), 1), 0);
        const perImage = tf.reshape(flowing, [g.shape[0], ...new Array(g.rank - 1).fill(1)]);
        return [tf.where(tf.broadcastTo(perImage, g.shape), plain, redirected)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return tf.add(tf.relu(z), redirect(input) as tf.Tensor);
};

function penalty(img: tf.Tensor4D, reg: Required<Regularizers>, mid: number): tf.Scalar {
  return tf.tidy(() => {
    let p: tf.Tensor = tf.scalar(0);
    if (reg.tv) {
      const dy = tf.sub(
        tf.slice(img, [0, 1, 0, 0], [-1, -1, -1, -1]),
        tf.slice(img, [0, 0, 0, 0], [-1, img.shape[1] - 1, -1, -1]),
      );
      const dx = tf.sub(
        tf.slice(img, [0, 0, 1, 0], [-1, -1, -1, -1]),
        tf.slice(img, [0, 0, 0, 0], [-1, -1, img.shape[2] - 1, -1]),
      );
      p = tf.add(p, tf.mul(tf.add(tf.mean(tf.abs(dy)), tf.mean(tf.abs(dx))), reg.tv));
    }
    if (reg.l1) p = tf.add(p, tf.mul(tf.mean(tf.abs(tf.sub(img, mid))), reg.l1));
    if (reg.l2) p = tf.add(p, tf.mul(tf.mean(tf.square(tf.sub(img, mid))), reg.l2));
    if (reg.blur) {
      // the blurred copy is a fixed target: only the image is pulled towards it
      const blurred = tf.avgPool(img, 3, 1, "same");
      const target = tf.tensor(blurred.dataSync(), blurred.shape);
      p = tf.add(p, tf.mul(tf.mean(tf.square(tf.sub(img, target))), reg.blur));
    }
    return p as tf.Scalar;
  });
}

export interface ChannelVisualizationOptions extends Omit<FeatureVisualizationOptions, "objective" | "batch" | "image"> {
  layer: LayerRef;
  /** Channels to show: a list, or a count of the first ones (default: all, at most 16). */
  channels?: number[] | number;
}

/**
 * One feature visualisation per channel of a layer, optimised together as one batch (image i maximises
 * channel channels[i]). `info.channels` lists them; it shows itself as a titled grid.
 */
export async function channelVisualizations(model: tf.LayersModel, options: ChannelVisualizationOptions): Promise<Attribution> {
  assertLayersModel(model);
  if (!options || options.layer === undefined) fail('channelVisualizations needs a layer, e.g. { layer: "conv3" }.');
  const layer = resolveLayer(model, options.layer);
  const shape = (Array.isArray(layer.outputShape[0]) ? layer.outputShape[0] : layer.outputShape) as number[];
  const count = shape[shape.length - 1];
  const channels = Array.isArray(options.channels)
    ? options.channels
    : Array.from({ length: Math.min(count, options.channels ?? 16) }, (_, i) => i);
  if (!channels.length) fail("channels is empty: give channel indices or a positive count.");
  const objective: ObjectiveSpec[] = channels.map((channel, batchIndex) => ({
    kind: "channel",
    layer: layer.name,
    channel,
    batchIndex,
  }));
  const { layer: _l, channels: _c, ...rest } = options;
  const result = await featureVisualization(model, { ...rest, objective, batch: channels.length });
  const values = result.values.rank === 3 ? tf.expandDims(result.values, 0) : result.values;
  const input = result.input.rank === 3 ? tf.expandDims(result.input, 0) : result.input;
  const out = new Attribution(
    values === result.values ? result.values : values,
    "featureVisualization",
    input === result.input ? result.input : input,
    null,
    true,
    { ...result.info, layer: layer.name, channels, labels: channels.map((ch) => `${layer.name} ch ${ch}`) },
  );
  if (values !== result.values) result.values.dispose();
  if (input !== result.input) result.input.dispose();
  return out;
}
