import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { probe, stopGradient } from "../model/probe";
import { LinearMap } from "./lrp-layers";

/**
 * LRP rules in relevance form: the gradient that flows backwards *is* the relevance R. Each rule returns
 * the map's true output z, built so that its gradient turns the relevance R_z arriving at z into the
 * relevance of the map's input a (Montavon et al. 2019, "Layer-wise relevance propagation: an overview").
 */
export type RuleName = "epsilon" | "gamma" | "alphaBeta" | "zPlus" | "zB";

/** Which rule each kind of layer gets: dense layers, conv layers, and the linear layer(s) reading the input. */
export interface LrpComposite {
  dense?: RuleName;
  conv?: RuleName;
  input?: RuleName;
}

export interface RuleParams {
  epsilon: number;
  gamma: number;
  alpha: number;
  beta: number;
  /** z^B pixel bounds, shaped like (or broadcast to) the map's input. */
  low: tf.Tensor | number;
  high: tf.Tensor | number;
}

/** Denominator guard for γ, αβ and z^B (ε is the user's for the ε rule). */
const TINY = 1e-9;

const pos = (t: tf.Tensor) => tf.relu(t);
const neg = (t: tf.Tensor) => tf.minimum(t, 0);
/** z + ε·sign(z), with sign(0) = +1. */
const stabilise = (z: tf.Tensor, eps: number) => tf.add(z, tf.mul(tf.sub(tf.mul(tf.step(z), 2), 1), eps));
const withBias = (z: tf.Tensor, b: tf.Tensor | null) => (b ? tf.add(z, b) : z);
/**
 * 1 / d, and 0 where d is 0 (no contribution there to share). Written as d / (d² + 1e-30), exact in float32
 * for |d| > 1e-13, because the tape differentiates through it (to zero) and divNoNan has no gradient.
 */
const inverse = (d: tf.Tensor) => tf.div(d, tf.add(tf.square(d), 1e-30));
// (its own gradient overflows at d = 0; constants are therefore computed from stopGradient(input))

/**
 * One term of a rule: sends back scale ⊙ (run's transpose with `kernel` applied to R ⊙ q) to `a`,
 * and forwards zero.
 */
function term(map: LinearMap, a: tf.Tensor, scale: tf.Tensor | number, kernel: tf.Tensor, q: tf.Tensor): tf.Tensor {
  return tf.mul(map.run(probe(a, undefined, scale), kernel), stopGradient(q));
}

export function applyRule(rule: RuleName, map: LinearMap, input: tf.Tensor, p: RuleParams): tf.Tensor {
  // constants come from a detached copy: the tape's (zero) gradient through them must not reach the input
  const a = stopGradient(input);
  const z = withBias(map.run(a, map.kernel), map.bias);
  const value = stopGradient(z);
  const w = map.kernel;
  switch (rule) {
    case "epsilon":
      // R_a = a ⊙ Wᵀ (R / (z + ε sign z))
      return tf.add(value, term(map, input, a, w, inverse(stabilise(z, p.epsilon))));
    case "gamma": {
      // weights and bias w + γ w⁺: positive contributions count (1 + γ) times
      const wg = tf.add(w, tf.mul(pos(w), p.gamma));
      const bg = map.bias ? tf.add(map.bias, tf.mul(pos(map.bias), p.gamma)) : null;
      const zg = withBias(map.run(a, wg), bg);
      return tf.add(value, term(map, input, a, wg, inverse(stabilise(zg, TINY))));
    }
    case "alphaBeta":
    case "zPlus": {
      // positive and negative contributions a_j w_jk shared separately (bias left out), α − β = 1
      const [alpha, beta] = rule === "zPlus" ? [1, 0] : [p.alpha, p.beta];
      const ap = pos(a),
        an = neg(a),
        wp = pos(w),
        wn = neg(w);
      const zp = tf.add(map.run(ap, wp), map.run(an, wn));
      const qp = tf.mul(inverse(zp), alpha);
      let out = tf.add(value, tf.add(term(map, input, ap, wp, qp), term(map, input, an, wn, qp)));
      if (beta !== 0) {
        const zn = tf.add(map.run(ap, wn), map.run(an, wp));
        const qn = tf.mul(inverse(zn), -beta);
        out = tf.add(out, tf.add(term(map, input, ap, wn, qn), term(map, input, an, wp, qn)));
      }
      return out;
    }
    case "zB": {
      // R_a = (a ⊙ Wᵀs − l ⊙ W⁺ᵀs − h ⊙ W⁻ᵀs), s = R / (Σ a w − l w⁺ − h w⁻)
      const low = tf.add(tf.zerosLike(a), p.low),
        high = tf.add(tf.zerosLike(a), p.high);
      const wp = pos(w),
        wn = neg(w);
      const zb = tf.sub(tf.sub(map.run(a, w), map.run(low, wp)), map.run(high, wn));
      const q = inverse(stabilise(zb, TINY));
      const parts = tf.sub(tf.sub(term(map, input, a, w, q), term(map, input, low, wp, q)), term(map, input, high, wn, q));
      return tf.add(value, parts);
    }
  }
}

/**
 * Add: R_i = a_i / (Σ a + ε sign) · R, each input in proportion to what it contributed; with `signs`
 * (Sub: [1, −1]) the sum is Σ s_i a_i and R_i = s_i a_i / (z + ε sign) · R.
 */
export function addRule(inputs: tf.Tensor[], epsilon: number, signs?: number[]): tf.Tensor {
  const detached = inputs.map((a, i) => (signs ? tf.mul(stopGradient(a), signs[i]) : stopGradient(a)));
  const sum = (ts: tf.Tensor[]) => ts.reduce((s, t) => tf.add(s, t)); // addN does not broadcast
  const z = sum(detached);
  const q = inverse(stabilise(z, epsilon));
  return tf.add(z, sum(inputs.map((a, i) => tf.mul(probe(a, undefined, detached[i]), q))));
}

/** Elementwise nonlinearities pass relevance unchanged (zennit's Pass rule); ReLU's own gradient does that already. */
export function passRule(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.add(stopGradient(y), probe(x));
}

/** The rule for one linear map: ε for normalising maps, the input rule at the input, else by layer type. */
export function ruleFor(map: LinearMap, atInput: boolean, c: Required<LrpComposite>): RuleName {
  if (map.kind === "norm") return "epsilon";
  if (atInput && c.input) return c.input;
  return map.kind === "dense" ? c.dense : c.conv;
}

/** z^B bounds at a map's input: numbers as they are, input-shaped tensors reshaped like `a` (Flatten keeps order). */
export function boundsAt(p: RuleParams, a: tf.Tensor, x: tf.Tensor): Pick<RuleParams, "low" | "high"> {
  const fit = (b: tf.Tensor | number): tf.Tensor | number => {
    if (typeof b === "number") return b;
    const perExample = a.size / a.shape[0];
    if (b.size === perExample) return tf.reshape(b, [1, ...a.shape.slice(1)]);
    if (b.size === a.size) return tf.reshape(b, a.shape);
    return fail(
      `z^B bounds have shape [${b.shape.join(", ")}] but the input layer sees [${a.shape.slice(1).join(", ")}] per example (model input [${x.shape.slice(1).join(", ")}]).`,
    );
  };
  return { low: fit(p.low), high: fit(p.high) };
}
