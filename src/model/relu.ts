import * as tf from "@tensorflow/tfjs";

/**
 * How the backward pass treats every ReLU: "normal" (the true gradient), "guided" (Springenberg et al.:
 * pass only positive gradients where the ReLU was active) or "deconvnet" (Zeiler & Fergus: pass the
 * positive part of the gradient, ignoring the forward pass).
 *
 * "Every ReLU" means max(x, 0) and the clipped ReLU min(max(x, 0), m) (ReLU6, Keras ReLU(maxValue)),
 * separate or fused into a conv / dense layer or node. A clipped ReLU is active where 0 < x < m.
 * Other activations keep their true gradient in every mode: LeakyReLU, PReLU and ELU are not ReLUs
 * (their gradient is nonzero for x < 0, so the rules have no mask to apply), and the ReLU6 inside a
 * hard-swish or hard-sigmoid is part of a smooth gate, not a ReLU of the network (src/model/graph-ops.ts
 * recognises it by its input x + 3).
 */
export type ReluMode = "normal" | "guided" | "deconvnet";

const RELU_MODES: ReluMode[] = ["normal", "guided", "deconvnet"];
export const isReluMode = (m: unknown): m is ReluMode => RELU_MODES.includes(m as ReluMode);

function modifiedRelu(mode: "guided" | "deconvnet", max?: number) {
  const f = (x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    return {
      value: max === undefined ? tf.relu(x) : tf.clipByValue(x, 0, max),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor;
        if (mode === "deconvnet") return [tf.relu(g)];
        const active = max === undefined ? tf.step(saved[0]) : activeInside(saved[0], max);
        return [tf.mul(tf.mul(g, active), tf.step(g))];
      },
    };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]);
}

/** 1 where 0 < x < max, else 0, as float. */
const activeInside = (x: tf.Tensor, max: number) => tf.cast(tf.logicalAnd(tf.greater(x, 0), tf.less(x, max)), "float32");

const guided = modifiedRelu("guided");
const deconvnet = modifiedRelu("deconvnet");
const clipped = new Map<string, (x: tf.Tensor) => tf.Tensor>();

export function relu(x: tf.Tensor, mode: ReluMode): tf.Tensor {
  if (mode === "guided") return guided(x);
  if (mode === "deconvnet") return deconvnet(x);
  return tf.relu(x);
}

/** min(max(x, 0), max) with the mode's backward rule (ReLU6 is max = 6). */
export function clippedRelu(x: tf.Tensor, max: number, mode: ReluMode): tf.Tensor {
  if (mode === "normal") return max === 6 ? tf.relu6(x) : tf.clipByValue(x, 0, max);
  const key = `${mode}:${max}`;
  let f = clipped.get(key);
  if (!f) clipped.set(key, (f = modifiedRelu(mode, max)));
  return f(x);
}
