import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { isGraphModel, Model } from "../model/kind";
import { forward, LayerRule } from "../model/interpreter";
import { activationName, modelLayers } from "../model/layers";
import { probe } from "../model/probe";
import { explain, TargetOptions } from "./explain";
import { scores } from "./gradients";
import { lrpNodeRule } from "./lrp-graph";
import { analyseGraph, foldBatchNorm, linearMaps, PASS_THROUGH, SUPPORTED } from "./lrp-layers";
import { addRule, applyRule, boundsAt, LrpComposite, passRule, ruleFor, RuleName, RuleParams } from "./lrp-rules";

export interface LrpOptions extends TargetOptions {
  /**
   * A rule for every dense and conv layer ("epsilon" default, "gamma", "alphaBeta", "zPlus", "zB"), a
   * composite per layer type, or "epsilonGammaBox" (ε in dense layers, γ in convs, z^B at the input).
   * Pooling, batch norm (unless folded into the layer before it) and Add always use ε.
   */
  rule?: RuleName | "epsilonGammaBox" | LrpComposite;
  /** ε of the ε rule (default 1e-6): larger values absorb weak, contradictory relevance. */
  epsilon?: number;
  /** γ of the γ rule (default 0.25). */
  gamma?: number;
  /** α and β of the αβ rule, α − β = 1 (default 2 and 1). */
  alpha?: number;
  beta?: number;
  /** Input bounds for z^B: numbers or tensors shaped like the input (default [0, 1], the project's pixel range). */
  bounds?: [number | tf.Tensor, number | tf.Tensor];
}

const RULES: RuleName[] = ["epsilon", "gamma", "alphaBeta", "zPlus", "zB"];
const ACTIVATION_CLASSES = new Set(["ReLU", "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax", "Activation"]);

/**
 * Layer-wise relevance propagation (Bach et al. 2015): the target's score is the relevance at the output
 * and flows back layer by layer, each layer sharing it among its inputs by its rule. Runs through the
 * interpreter's rule hook: per layer on a LayersModel, per node on a GraphModel (src/methods/lrp-graph.ts,
 * where a converter has already folded batch norms into the convs). `info.conservation` is Σ input relevance / score
 * per example (1 when nothing is absorbed by biases or ε); `info.relevance` and `info.score` are the two.
 */
export async function lrp(model: Model, input: tf.Tensor, options: LrpOptions = {}): Promise<Attribution> {
  const composite = resolveComposite(options.rule ?? "epsilon");
  const params = resolveParams(options);
  return explain("lrp", model, input, options, ({ model, x, target, allRows }) => {
    const rules = isGraphModel(model)
      ? { nodeRule: lrpNodeRule(model, composite, params, x) }
      : { rule: layerRule(model, composite, params, x) };
    // relevance form: the gradient at the output starts as output ⊙ ∂score/∂output (= the score for a class)
    const relevance = tf.grad((inp: tf.Tensor) => {
      const out = forward(model, inp, rules).output;
      return tf.sum(target.score(probe(out, out, out), allRows));
    })(x);
    const axes = relevance.shape.slice(1).map((_, i) => i + 1);
    const sums = Array.from(tf.sum(relevance, axes).dataSync());
    const score = Array.from(scores(model, x, target.score, allRows).dataSync());
    return {
      values: relevance,
      info: {
        rule: options.rule ?? "epsilon",
        epsilon: params.epsilon,
        relevance: sums,
        score,
        conservation: sums.map((r, i) => r / score[i]),
      },
    };
  });
}

/** The LRP rules as a LayersModel interpreter rule, keyed by layer class. */
function layerRule(model: tf.LayersModel, composite: Required<LrpComposite>, params: RuleParams, x: tf.Tensor): LayerRule {
  checkLayers(model);
  const graph = analyseGraph(model);
  return ({ layer, part, input: value, apply }) => {
    const cls = layer.getClassName();
    if (part === "activation") {
      if (cls === "ReLU" && layer.getConfig().maxValue == null) return undefined;
      if (cls !== "ReLU" && !ACTIVATION_CLASSES.has(cls) && activationName(layer) === "relu") return undefined;
      return passRule(value as tf.Tensor, apply(value));
    }
    if (graph.folded.has(layer.name)) return value as tf.Tensor; // applied with the layer before it
    if (cls === "Add") return addRule(value as tf.Tensor[], params.epsilon);
    if (PASS_THROUGH.has(cls) || ACTIVATION_CLASSES.has(cls)) return undefined;
    let maps = linearMaps(layer)!;
    const norm = graph.folds.get(layer.name);
    if (norm) maps = foldBatchNorm(maps, norm);
    let a = value as tf.Tensor;
    maps.forEach((map, i) => {
      const name = ruleFor(map, i === 0 && graph.inputLayers.has(layer.name), composite);
      a = applyRule(name, map, a, name === "zB" ? { ...params, ...boundsAt(params, a, x) } : params);
    });
    return a;
  };
}

function resolveComposite(rule: LrpOptions["rule"]): Required<LrpComposite> {
  const check = (r: unknown, where: string): RuleName => {
    if (!RULES.includes(r as RuleName))
      fail(
        `unknown LRP rule ${JSON.stringify(r)}${where}; use one of ${RULES.join(", ")}, "epsilonGammaBox" or { dense, conv, input }.`,
      );
    return r as RuleName;
  };
  if (rule === "epsilonGammaBox") return { dense: "epsilon", conv: "gamma", input: "zB" };
  if (typeof rule === "string") {
    const r = check(rule, "");
    return { dense: r, conv: r, input: r };
  }
  if (rule === null || typeof rule !== "object")
    return fail(`LRP rule must be a rule name or { dense, conv, input }; got ${JSON.stringify(rule)}.`);
  for (const key of Object.keys(rule))
    if (!["dense", "conv", "input"].includes(key))
      fail(`LRP composite key "${key}" is not a layer type; use dense, conv or input.`);
  const dense = rule.dense === undefined ? "epsilon" : check(rule.dense, " for dense layers");
  const conv = rule.conv === undefined ? "epsilon" : check(rule.conv, " for conv layers");
  return { dense, conv, input: rule.input === undefined ? ("" as RuleName) : check(rule.input, " for the input layer") };
}

function resolveParams(o: LrpOptions): RuleParams {
  const num = (v: number | undefined, d: number, name: string, min = 0) => {
    const value = v ?? d;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min)
      fail(`${name} must be a finite number ≥ ${min}; got ${v}.`);
    return value;
  };
  const epsilon = num(o.epsilon, 1e-6, "epsilon");
  const gamma = num(o.gamma, 0.25, "gamma");
  const alpha = num(o.alpha, 2, "alpha", 1);
  const beta = num(o.beta, alpha - 1, "beta");
  if (Math.abs(alpha - beta - 1) > 1e-9)
    fail(`the αβ rule needs alpha − beta = 1 to conserve relevance; got alpha ${alpha}, beta ${beta}.`);
  const [low, high] = o.bounds ?? [0, 1];
  for (const b of [low, high]) {
    if (!(b instanceof tf.Tensor) && (typeof b !== "number" || !Number.isFinite(b)))
      fail("bounds must be [low, high], each a finite number or a tf.Tensor shaped like the input.");
  }
  return { epsilon, gamma, alpha, beta, low, high };
}

function checkLayers(model: tf.LayersModel): void {
  for (const layer of modelLayers(model)) {
    const cls = layer.getClassName();
    if (!SUPPORTED.includes(cls) && !ACTIVATION_CLASSES.has(cls)) {
      fail(
        `LRP has no rule for layer ${layer.name} (${cls}). Supported layers: ${[...SUPPORTED, ...ACTIVATION_CLASSES].join(", ")}.`,
      );
    }
  }
}
