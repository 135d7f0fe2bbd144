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
import { ablationCam } from "./ablation-cam";
import { cam } from "./cam";
import { eigenCam } from "./eigen-cam";
import { gradCam, gradCamPlusPlus, guidedGradCam } from "./grad-cam";
import { hiResCam, layerCam, xGradCam } from "./gradient-cams";
import { deconvnet, guidedBackprop } from "./guided";
import { integratedGradients } from "./integrated-gradients";
import { layerActivation, neuronGradient } from "./layer-methods";
import { occlusion } from "./occlusion";
import { inputXGradient, saliency } from "./saliency";
import { scoreCam } from "./score-cam";
import { smoothGrad } from "./smooth-grad";
import { lrp } from "./lrp";
import { deepLift, deepLiftShap } from "./deep-lift";
import { gradientShap } from "./gradient-shap";
import { featureAblation } from "./feature-ablation";
import { kernelShap } from "./kernel-shap";
import { lime } from "./lime";

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
  {
    name: "saliency",
    label: "Saliency",
    signed: false,
    needsLayer: false,
    graphModel: true,
    cost: "one-pass",
    run: saliency,
    summary: "gradient of the score w.r.t. the input; `abs` (default true)",
  },
  {
    name: "inputXGradient",
    label: "Input × gradient",
    signed: true,
    needsLayer: false,
    graphModel: true,
    cost: "one-pass",
    run: inputXGradient,
    summary: "gradient × input",
  },
  {
    name: "integratedGradients",
    label: "Integrated gradients",
    signed: true,
    needsLayer: false,
    graphModel: true,
    cost: "batched",
    run: integratedGradients,
    summary:
      "`steps` (50), `method` (`riemann_middle`; with a tolerance `riemann_trapezoid`; `riemann_left/right`, `gausslegendre`), `baseline` (number or tensor), `batchSize`; or `tolerance` (e.g. 0.01: points added per example until the completeness residual is within 1 % of \\|ΔF\\|, up to `maxSteps`; the trapezoid halves the path intervals with the largest residuals, `info.alphas`; `info.steps` per example); `info.delta`",
  },
  {
    name: "smoothGrad",
    label: "SmoothGrad",
    signed: false,
    needsLayer: false,
    graphModel: true,
    cost: "batched",
    run: smoothGrad,
    summary:
      'wraps any method (`method: dv.integratedGradients`, `methodOptions`); `kind` `smoothgrad`/`smoothgrad_sq`/`vargrad`; `samples` (25); `stdev` (0.15 of each example\'s range, or `stdevMode: "absolute"`); `seed`',
  },
  {
    name: "guidedBackprop",
    label: "Guided backprop",
    signed: true,
    needsLayer: false,
    graphModel: true,
    cost: "one-pass",
    run: guidedBackprop,
    summary: "gradient where every ReLU passes back `grad·(x > 0)·(grad > 0)` (Springenberg et al.)",
  },
  {
    name: "deconvnet",
    label: "Deconvnet",
    signed: true,
    needsLayer: false,
    graphModel: true,
    cost: "one-pass",
    run: deconvnet,
    summary: "gradient where every ReLU passes back `relu(grad)` (Zeiler & Fergus)",
  },
  {
    name: "gradCam",
    label: "Grad-CAM",
    signed: false,
    needsLayer: true,
    graphModel: true,
    cost: "one-pass",
    run: gradCam,
    summary: "`ReLU(Σ_k w_k A_k)`, `w_k` = spatial mean of ∂score/∂A_k (Selvaraju et al.)",
  },
  {
    name: "gradCamPlusPlus",
    label: "Grad-CAM++",
    signed: false,
    needsLayer: true,
    graphModel: true,
    cost: "one-pass",
    run: gradCamPlusPlus,
    summary:
      "weights `Σ_ij α_ij relu(g_ij)`, `α = g²/(2g² + ΣA·g³)` (Chattopadhyay et al., exp score; the common factor e^score left out)",
  },
  {
    name: "guidedGradCam",
    label: "Guided Grad-CAM",
    signed: true,
    needsLayer: true,
    graphModel: true,
    cost: "one-pass",
    run: guidedGradCam,
    summary: "guided backprop × the upsampled Grad-CAM, every channel",
  },
  {
    name: "cam",
    label: "CAM",
    signed: true,
    needsLayer: true,
    graphModel: true,
    cost: "one-pass",
    run: cam,
    summary:
      "`Σ_k W[k,c] A_k` for models ending in GlobalAveragePooling2D → (Dropout) → Dense (softmax fused or as a layer), or in a GraphModel Mean over the spatial axes → (MatMul); no ReLU by default, as in Zhou et al.",
  },
  {
    name: "scoreCam",
    label: "Score-CAM",
    signed: false,
    needsLayer: true,
    graphModel: true,
    cost: "batched",
    run: scoreCam,
    summary:
      'each channel\'s upsampled map scaled to [0, 1] masks the input; `weights: "softmax"` (default, the paper\'s Algorithm 1) or `"difference"` (Eq. 3: masked score − score of the zero input); `batchSize` masked inputs per forward pass',
  },
  {
    name: "hiResCam",
    label: "HiResCAM",
    signed: false,
    needsLayer: true,
    graphModel: true,
    cost: "one-pass",
    run: hiResCam,
    summary: "`ReLU(Σ_k g_k ⊙ A_k)`: gradient times activation, element-wise, no averaging (Draelos & Carin)",
  },
  {
    name: "layerCam",
    label: "Layer-CAM",
    signed: false,
    needsLayer: true,
    graphModel: true,
    cost: "one-pass",
    run: layerCam,
    summary: "`ReLU(Σ_k relu(g_k) ⊙ A_k)`: only positive gradients, detailed on early layers (Jiang et al.)",
  },
  {
    name: "xGradCam",
    label: "XGrad-CAM",
    signed: false,
    needsLayer: true,
    graphModel: true,
    cost: "one-pass",
    run: xGradCam,
    summary: "weights `Σ_ij (A_kij / Σ_ij A_kij) g_kij`, the activation-weighted mean gradient (Fu et al.)",
  },
  {
    name: "eigenCam",
    label: "Eigen-CAM",
    signed: false,
    needsLayer: true,
    graphModel: true,
    cost: "one-pass",
    run: eigenCam,
    summary:
      "the layer's centred activations projected on their first principal component, signed to agree with the mean activation; no gradient, no class (Muhammad & Yeasin)",
  },
  {
    name: "ablationCam",
    label: "Ablation-CAM",
    signed: false,
    needsLayer: true,
    graphModel: true,
    cost: "batched",
    run: ablationCam,
    summary:
      "weights `(y − y_k) / y`, `y_k` the score with channel k zeroed, one forward pass per channel in `batchSize` batches (Desai & Ramaswamy)",
  },
  {
    name: "occlusion",
    label: "Occlusion",
    signed: true,
    needsLayer: false,
    graphModel: true,
    cost: "batched",
    run: occlusion,
    defaults: (_model, input) => ({ window: defaultWindow(input) }),
    summary:
      "`window` and `stride` per axis (a number: square over the spatial axes, all channels), `baseline`; overlapping windows averaged, edge windows cut short",
  },
  {
    name: "lrp",
    label: "LRP",
    signed: true,
    needsLayer: false,
    graphModel: true,
    cost: "one-pass",
    run: lrp,
    summary:
      'layer-wise relevance propagation: `rule` `epsilon` (default), `gamma`, `alphaBeta`, `zPlus`, `zB`, `"epsilonGammaBox"` or `{ dense, conv, input }`; `epsilon`, `gamma`, `alpha`/`beta`, `bounds`; batch norm folded, Add proportional, max pool to the winner; on GraphModels per node (Conv2D, depthwise, MatMul, fused or not, BiasAdd, Add, pools, Mean); `info.conservation`',
  },
  {
    name: "deepLift",
    label: "DeepLift",
    signed: true,
    needsLayer: false,
    graphModel: true,
    cost: "one-pass",
    run: deepLift,
    summary:
      "Rescale rule against a `baseline` (number or tensor, default 0) at every nonlinearity and max pool (GraphModels: activation and MaxPool nodes, fused ones too); sums to F(x) − F(x₀) (`info.delta`)",
  },
  {
    name: "deepLiftShap",
    label: "DeepLiftShap",
    signed: true,
    needsLayer: false,
    graphModel: true,
    cost: "batched",
    run: deepLiftShap,
    summary: "DeepLift averaged over a batch of `baselines` [N, …] (default: one zero input); `batchSize`; `info.delta`",
  },
  {
    name: "gradientShap",
    label: "GradientShap",
    signed: true,
    needsLayer: false,
    graphModel: true,
    cost: "batched",
    run: gradientShap,
    summary:
      "expected gradient × (x̃ − b) over `baselines` [N, …] (or one), random path points and optional noise `stdev`; `samples` (50), `seed`",
  },
  {
    name: "featureAblation",
    label: "Feature ablation",
    signed: true,
    needsLayer: false,
    graphModel: true,
    cost: "batched",
    run: featureAblation,
    summary:
      "score drop when each group of `featureMask` (default: SLIC superpixels for images) is set to the `baseline`, credited to every member",
  },
  {
    name: "kernelShap",
    label: "KernelSHAP",
    signed: true,
    needsLayer: false,
    graphModel: true,
    cost: "batched",
    run: kernelShap,
    summary:
      "Shapley values of feature groups by constrained weighted least squares over coalitions (all of them when ≤ `samples`, 256); `featureMask`, `baseline`, `seed`",
  },
  {
    name: "lime",
    label: "LIME",
    signed: true,
    needsLayer: false,
    graphModel: true,
    cost: "batched",
    run: lime,
    summary:
      "weighted linear fit over random coalitions of feature groups, exponential kernel on the cosine distance (`kernelWidth` 0.25); `samples` (256), `featureMask`, `seed`",
  },
  {
    name: "layerActivation",
    label: "Layer activation",
    signed: true,
    needsLayer: true,
    graphModel: true,
    cost: "one-pass",
    run: layerActivation,
    summary: 'a layer\'s output (`layer`: name, index or `"lastConv"`); no target',
  },
  {
    name: "neuronGradient",
    label: "Neuron gradient",
    signed: true,
    needsLayer: true,
    graphModel: true,
    cost: "one-pass",
    run: neuronGradient,
    summary: "gradient of a layer / channel / neuron (`channel`, `position`) w.r.t. the input; no target",
  },
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
