import * as tf from "@tensorflow/tfjs";

/**
 * How the backward pass treats every ReLU: "normal" (the true gradient), "guided" (Springenberg et al.:
 * pass only positive gradients where the input was positive) or "deconvnet" (Zeiler & Fergus: pass the
 * positive part of the gradient, ignoring the forward mask).
 */
export type ReluMode = "normal" | "guided" | "deconvnet";

function modifiedRelu(mode: "guided" | "deconvnet") {
  const f = (x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    return {
      value: tf.relu(x),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor;
        if (mode === "deconvnet") return [tf.relu(g)];
        return [tf.mul(tf.mul(g, tf.step(saved[0])), tf.step(g))];
      },
    };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]);
}

const guided = modifiedRelu("guided");
const deconvnet = modifiedRelu("deconvnet");

export function relu(x: tf.Tensor, mode: ReluMode): tf.Tensor {
  if (mode === "guided") return guided(x);
  if (mode === "deconvnet") return deconvnet(x);
  return tf.relu(x);
}
