import * as tf from "@tensorflow/tfjs";

/**
 * Two gradient tools for backward rules. tfjs cannot take a gradient inside another gradient's backward
 * function, so rules are built from forward expressions whose ordinary gradient is the rule:
 * `stopGradient(z) + f(probe(a, v, m)) ⊙ stopGradient(q)` has the value of z and sends back to `a`
 * m ⊙ (the gradient of f at v against the cotangent ⊙ q).
 */

const stop = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [tf.zerosLike(dy as tf.Tensor)],
})) as unknown as Parameters<typeof tf.customGrad>[0]);

/** x forward, no gradient backward. */
export function stopGradient(x: tf.Tensor): tf.Tensor {
  return stop(x) as tf.Tensor;
}

/**
 * A tensor that forwards `value` (a constant; zeros when omitted) in place of `input`, and passes the
 * incoming gradient back to `input` multiplied by `scale` (a constant, broadcast; 1 when omitted).
 */
export function probe(input: tf.Tensor, value?: tf.Tensor, scale?: tf.Tensor | number): tf.Tensor {
  const f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    // saved tensors survive until the backward pass; the forward scope frees everything else
    if (scale instanceof tf.Tensor) save([scale]);
    return {
      value: value ? tf.clone(value) : tf.zerosLike(x),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor;
        if (scale === undefined) return [tf.clone(g)];
        return [tf.mul(g, scale instanceof tf.Tensor ? saved[0] : scale)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(input) as tf.Tensor;
}
