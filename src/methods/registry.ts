/**
 * Every attribution method, registered once. The explorer's method picker, the README's method table
 * (scripts/method-table.ts writes it; test/methods/registry.test.ts checks it) and the bench read this
 * list, so a method registered here shows up everywhere without further edits.
 *
 * Adding a method:
 *   1. write it in its own file as `async (model, input, options) => Attribution` built on explain()
 *      (src/methods/explain.ts: validation, backend, targets, batching, progress and abort);
 *   2. add one entry to METHODS below and export the function from src/index.ts;
 *   3. give it a test; the registry test runs every entry through explain() with a leak check.
 *
 * An entry:
 *   name        the function's name on `dv` (`dv[name]`)
 *   label       what a picker shows
 *   summary     one line for the README table: what it computes and its main options
 *   signed      whether values carry a meaningful sign (drawn with a diverging colormap)
 *   needsLayer  whether it takes a `layer` option (a layer name, index or "lastConv")
 *   graphModel  true when it accepts a tf.GraphModel, else the reason it cannot
 *   cost        "one-pass" (one forward/backward), "batched" (many passes in chunks) or "iterative"
 *               (a loop whose steps depend on each other)
 *   run         the method itself
 *   defaults    options a run needs beyond model and input (e.g. occlusion's window), for pickers
 */
import * as tf from "@tensorflow/tfjs";
import type { AttributionMethod } from "../attribution";
import { fail } from "../errors";
import type { Model } from "../model/kind";
import { cam } from "./cam";
import { gradCam, gradCamPlusPlus, guidedGradCam } from "./grad-cam";
import { deconvnet, guidedBackprop } from "./guided";
import { integratedGradients } from "./integrated-gradients";
import { layerActivation, neuronGradient } from "./layer-methods";
import { occlusion } from "./occlusion";
import { inputXGradient, saliency } from "./saliency";
import { scoreCam } from "./score-cam";
import { smoothGrad } from "./smooth-grad";

export type Cost = "one-pass" | "batched" | "iterative";

export interface MethodSpec {
  readonly name: string;
  readonly label: string;
  readonly summary: string;
  readonly signed: boolean;
  readonly needsLayer: boolean;
  readonly graphModel: true | string;
  readonly cost: Cost;
  readonly run: AttributionMethod;
  readonly defaults?: (model: Model, input: tf.Tensor) => Record<string, unknown>;
}

const METHODS: MethodSpec[] = [
  { name: "saliency", label: "Saliency", signed: false, needsLayer: false, graphModel: true, cost: "one-pass", run: saliency,
    summary: "gradient of the score w.r.t. the input; `abs` (default true)" },
  { name: "inputXGradient", label: "Input × gradient", signed: true, needsLayer: false, graphModel: true, cost: "one-pass", run: inputXGradient,
    summary: "gradient × input" },
  { name: "integratedGradients", label: "Integrated gradients", signed: true, needsLayer: false, graphModel: true, cost: "batched", run: integratedGradients,
    summary: "`steps` (50), `method` (`gausslegendre`, `riemann_left/right/middle/trapezoid`), `baseline` (number or tensor), `batchSize`; `info.delta`" },
  { name: "smoothGrad", label: "SmoothGrad", signed: false, needsLayer: false, graphModel: true, cost: "batched", run: smoothGrad,
    summary: "wraps any method (`method: dv.integratedGradients`, `methodOptions`); `kind` `smoothgrad`/`smoothgrad_sq`/`vargrad`; `samples` (25); `stdev` (0.15 of each example's range, or `stdevMode: \"absolute\"`); `seed`" },
  { name: "guidedBackprop", label: "Guided backprop", signed: true, needsLayer: false, graphModel: true, cost: "one-pass", run: guidedBackprop,
    summary: "gradient where every ReLU passes back `grad·(x > 0)·(grad > 0)` (Springenberg et al.)" },
  { name: "deconvnet", label: "Deconvnet", signed: true, needsLayer: false, graphModel: true, cost: "one-pass", run: deconvnet,
    summary: "gradient where every ReLU passes back `relu(grad)` (Zeiler & Fergus)" },
  { name: "gradCam", label: "Grad-CAM", signed: false, needsLayer: true, graphModel: true, cost: "one-pass", run: gradCam,
    summary: "`ReLU(Σ_k w_k A_k)`, `w_k` = spatial mean of ∂score/∂A_k (Selvaraju et al.)" },
  { name: "gradCamPlusPlus", label: "Grad-CAM++", signed: false, needsLayer: true, graphModel: true, cost: "one-pass", run: gradCamPlusPlus,
    summary: "weights `Σ_ij α_ij relu(g_ij)`, `α = g²/(2g² + ΣA·g³)` (Chattopadhyay et al., exp score; the common factor e^score left out)" },
  { name: "guidedGradCam", label: "Guided Grad-CAM", signed: true, needsLayer: true, graphModel: true, cost: "one-pass", run: guidedGradCam,
    summary: "guided backprop × the upsampled Grad-CAM, every channel" },
  { name: "cam", label: "CAM", signed: true, needsLayer: true, graphModel: true, cost: "one-pass", run: cam,
    summary: "`Σ_k W[k,c] A_k` for models ending in GlobalAveragePooling2D → (Dropout) → Dense (softmax fused or as a layer), or in a GraphModel Mean over the spatial axes → (MatMul); no ReLU by default, as in Zhou et al." },
  { name: "scoreCam", label: "Score-CAM", signed: false, needsLayer: true, graphModel: true, cost: "batched", run: scoreCam,
    summary: "each channel's upsampled map scaled to [0, 1] masks the input; `weights: \"softmax\"` (default, the paper's Algorithm 1) or `\"difference\"` (Eq. 3: masked score − score of the zero input); `batchSize` masked inputs per forward pass" },
  { name: "occlusion", label: "Occlusion", signed: true, needsLayer: false, graphModel: true, cost: "batched", run: occlusion,
    defaults: (_model, input) => ({ window: defaultWindow(input) }),
    summary: "`window` and `stride` per axis (a number: square over the spatial axes, all channels), `baseline`; overlapping windows averaged, edge windows cut short" },
  { name: "layerActivation", label: "Layer activation", signed: true, needsLayer: true, graphModel: true, cost: "one-pass", run: layerActivation,
    summary: "a layer's output (`layer`: name, index or `\"lastConv\"`); no target" },
  { name: "neuronGradient", label: "Neuron gradient", signed: true, needsLayer: true, graphModel: true, cost: "one-pass", run: neuronGradient,
    summary: "gradient of a layer / channel / neuron (`channel`, `position`) w.r.t. the input; no target" },
];

/** An occlusion window of about an eighth of the image side (at least 1). */
function defaultWindow(input: tf.Tensor): number {
  const side = input.rank >= 3 ? Math.min(...input.shape.slice(-3, -1)) : input.shape[input.shape.length - 1];
  return Math.max(1, Math.round(side / 8));
}

for (const [i, m] of METHODS.entries()) {
  if (METHODS.findIndex((n) => n.name === m.name) !== i) throw new Error(`internal: method ${m.name} is registered twice`);
}

/** Every registered method, in the order pickers offer them. */
export function listMethods(): readonly MethodSpec[] {
  return METHODS;
}

/** The entry for `name`, or a DeepVizError listing the names there are. */
export function getMethod(name: string): MethodSpec {
  const spec = METHODS.find((m) => m.name === name);
  if (!spec) fail(`no attribution method named "${name}". Methods: ${METHODS.map((m) => m.name).join(", ")}.`);
  return spec;
}
