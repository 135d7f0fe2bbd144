import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { RunOptions } from "../core/work";
import { fail } from "../errors";
import { forward } from "../model/interpreter";
import { LayerRef, resolveLayer } from "../model/layers";
import { assertModel, assertPositiveInt, inputShape } from "../model/validate";
import { mulberry32, normals } from "../core/random";
import { outputSize } from "../targets";
import { explain } from "./explain";

export interface ActivationMaximizationOptions extends RunOptions {
  /** A class index of the output, or a channel of a layer to excite (mean over its positions). */
  target: number | { layer: string | number; channel: number };
  /** Gradient-ascent steps (default 150). */
  steps?: number;
  /** Step size in input units after the gradient is scaled to unit RMS (default 0.05). */
  learningRate?: number;
  /** Weight decay pulling the image towards mid-grey each step (default 0.01). */
  decay?: number;
  /** Blur the image every this many steps (default 4; 0 never): suppresses high-frequency noise. */
  blurEvery?: number;
  /** Random shift in pixels before each step (default 2): the image must work wherever it sits. */
  jitter?: number;
  /** Allowed input range (default [0, 1]). */
  range?: [number, number];
  seed?: number;
  /** Called every step with the step index and the current score. */
  onStep?: (step: number, score: number) => void;
}

/**
 * Activation maximization (class image generation): gradient ascent on the input to raise a class score
 * or a channel's mean activation, with jitter, decay and blur as regularizers. `values` is the image;
 * `info.scores` the score after each step.
 */
export async function activationMaximization(model: Model, options: ActivationMaximizationOptions): Promise<Attribution> {
  assertModel(model);
  if (!options || options.target === undefined)
    fail("activationMaximization needs a target: a class index or { layer, channel }.");
  const steps = options.steps ?? 150;
  assertPositiveInt(steps, "steps", 100_000);
  const lr = options.learningRate ?? 0.05;
  const decay = options.decay ?? 0.01;
  const blurEvery = options.blurEvery ?? 4;
  const jitter = options.jitter ?? 2;
  const [lo, hi] = options.range ?? [0, 1];
  const shape = inputShape(model).slice(1) as number[];
  if (shape.some((d) => d == null)) fail("the model's input shape must be fully known to generate an image.");
  const isImage = shape.length === 3;
  const objective = makeObjective(model, options.target);
  const random = mulberry32(options.seed ?? 0);
  const size = shape.reduce((a, b) => a * b, 1);
  const mid = (lo + hi) / 2;

  const start = tf.tidy(() => tf.add(mid, tf.mul(tf.tensor(normals(size, random), shape), 0.05 * (hi - lo))));
  const classTarget = typeof options.target === "number" ? options.target : undefined;
  const layer = classTarget === undefined ? resolveLayer(model, (options.target as { layer: LayerRef }).layer).name : undefined;
  const run = { onProgress: options.onProgress, signal: options.signal, progress: options.progress, target: classTarget };
  try {
    return await explain(
      "activationMaximization",
      model,
      start,
      run,
      async ({ x: initial, work }) => {
        work.plan(steps, "steps");
        let x = work.tidy(() => tf.clone(initial));
        const scores: number[] = [];
        for (let step = 0; step < steps; step++) {
          const dy = isImage && jitter > 0 ? Math.round((random() * 2 - 1) * jitter) : 0;
          const dx = isImage && jitter > 0 ? Math.round((random() * 2 - 1) * jitter) : 0;
          const [next, score] = work.tidy(() => {
            const shifted = roll(x, dy, dx);
            const g = tf.grad((input: tf.Tensor) => tf.sum(objective(input)))(shifted);
            const rms = tf.sqrt(tf.add(tf.mean(tf.square(g)), 1e-12));
            let y = tf.add(shifted, tf.mul(tf.div(g, rms), lr));
            y = tf.sub(y, tf.mul(tf.sub(y, mid), decay));
            y = roll(y, -dy, -dx);
            if (isImage && blurEvery > 0 && (step + 1) % blurEvery === 0) y = blur(y as tf.Tensor4D);
            y = tf.clipByValue(y, lo, hi);
            return [y, tf.sum(objective(y))];
          });
          scores.push(score.dataSync()[0]);
          work.free(x, score);
          x = next;
          options.onStep?.(step, scores[scores.length - 1]);
          await work.step();
        }
        return { values: x, info: { scores, steps, layer } };
      },
      { targeted: classTarget !== undefined },
    );
  } finally {
    start.dispose();
  }
}

function makeObjective(model: Model, target: ActivationMaximizationOptions["target"]): (x: tf.Tensor) => tf.Tensor {
  if (typeof target === "number") {
    const k = outputSize(model);
    if (!Number.isInteger(target) || target < 0 || target >= k)
      fail(`target class ${target} is out of range: the model has ${k} outputs (0..${k - 1}).`);
    const mask = new Float32Array(k);
    mask[target] = 1;
    return (x) => tf.sum(tf.mul(tf.reshape(forward(model, x).output, [1, k]), tf.tensor2d(mask, [1, k])), 1);
  }
  const layer = resolveLayer(model, target.layer);
  const shape = layer.outputShape as number[];
  const channels = shape[shape.length - 1];
  if (!Number.isInteger(target.channel) || target.channel < 0 || target.channel >= channels) {
    fail(`channel ${target.channel} is out of range: layer ${layer.name} has ${channels} channels (0..${channels - 1}).`);
  }
  return (x) => {
    const act = forward(model, x, { stopAt: layer.name, logits: false }).output;
    const onehot = new Float32Array(channels);
    onehot[target.channel] = 1;
    const mask = tf.tensor(onehot, [...new Array(act.rank - 1).fill(1), channels]);
    return tf.div(tf.sum(tf.mul(act, mask)), act.size / channels);
  };
}

/** Circular shift of an NHWC image by (dy, dx). */
function roll(x: tf.Tensor, dy: number, dx: number): tf.Tensor {
  let y = x;
  const h = x.shape[1]!,
    w = x.shape[2]!;
  if (dy) {
    const s = ((dy % h) + h) % h;
    y = tf.concat([tf.slice(y, [0, h - s], [-1, s]), tf.slice(y, [0, 0], [-1, h - s])], 1);
  }
  if (dx) {
    const s = ((dx % w) + w) % w;
    y = tf.concat([tf.slice(y, [0, 0, w - s], [-1, -1, s]), tf.slice(y, [0, 0, 0], [-1, -1, w - s])], 2);
  }
  return y;
}

function blur(x: tf.Tensor4D): tf.Tensor {
  return tf.avgPool(x, 3, 1, "same");
}
