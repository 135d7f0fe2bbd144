export { DeepVizError } from "./errors";
export { backend } from "./backend";
export { AbortError, Progress, RunOptions } from "./core/work";
export { Attribution, AttributionMethod, Target } from "./attribution";

// model machinery
export { loadModel, LoadModelOptions } from "./model/load";
export { Model, isGraphModel } from "./model/kind";
export { selectOutput } from "./model/graph";
export { listLayers, resolveLayer, LayerInfo, LayerRef, ModelLayer } from "./model/layers";
export {
  forward,
  endsInSoftmax,
  ForwardOptions,
  ForwardPass,
  LayerRule,
  LayerStep,
  NodeRule,
  NodeStep,
} from "./model/interpreter";
export { ReluMode } from "./model/relu";
export { receptiveField, ReceptiveField, FieldBox } from "./model/receptive-field";
/** Targets for detection, segmentation and regression outputs. */
export * as targets from "./task-targets";

// attribution methods
export { saliency, inputXGradient, SaliencyOptions } from "./methods/saliency";
export { integratedGradients, IntegratedGradientsOptions } from "./methods/integrated-gradients";
export { smoothGrad, SmoothGradOptions } from "./methods/smooth-grad";
export { occlusion, OcclusionOptions } from "./methods/occlusion";
export {
  layerActivation,
  layerGradients,
  neuronGradient,
  LayerOptions,
  LayerGradientsOptions,
  NeuronGradientOptions,
} from "./methods/layer-methods";
export { IntegrationMethod } from "./methods/quadrature";
export { guidedBackprop, deconvnet } from "./methods/guided";
export { gradCam, gradCamPlusPlus, guidedGradCam, GuidedGradCamOptions } from "./methods/grad-cam";
export { cam, ClassActivationMapOptions } from "./methods/cam";
export { hiResCam, layerCam, xGradCam } from "./methods/gradient-cams";
export { eigenCam } from "./methods/eigen-cam";
export { ablationCam, AblationCamOptions } from "./methods/ablation-cam";
export { scoreCam, ScoreCamOptions } from "./methods/score-cam";
export { CamOptions, Upsample } from "./methods/cam-maps";
export { activationMaximization, ActivationMaximizationOptions } from "./methods/activation-maximization";
export { lrp, LrpOptions } from "./methods/lrp";
export { RuleName as LrpRule, LrpComposite } from "./methods/lrp-rules";
export { deepLift, deepLiftShap, DeepLiftOptions, DeepLiftShapOptions } from "./methods/deep-lift";
export { gradientShap, GradientShapOptions } from "./methods/gradient-shap";
export { featureAblation, FeatureAblationOptions } from "./methods/feature-ablation";
export { kernelShap, KernelShapOptions } from "./methods/kernel-shap";
export { lime, LimeOptions } from "./methods/lime";
export { PerturbationOptions } from "./methods/perturbation";
export { superpixels, SuperpixelOptions } from "./methods/superpixels";
export {
  featureVisualization,
  channelVisualizations,
  FeatureVisualizationOptions,
  ChannelVisualizationOptions,
  Regularizers,
} from "./methods/feature-visualization";
export { Objective, ObjectiveSpec } from "./methods/fv-objectives";
export { Transforms } from "./methods/fv-transforms";
export { Parameterization } from "./methods/fv-image";
export { topPatches, TopPatches, TopPatchesOptions, PatchHit, ChannelPatches } from "./methods/top-patches";
export { sanityCheck, SanityCheckOptions, SanityCheckResult } from "./methods/sanity-checks";
export { spearman, pearson, ssim } from "./methods/similarity";
export * as metrics from "./metrics";
export { listMethods, getMethod, MethodSpec, Cost } from "./methods/registry";

// rendering and display
export * as render from "./render";
export { show, save, plots, modelSummary, ModelSummary, Plot, bundleOf, BundleOptions, inNotebook, ShowOptions } from "./display";

// embeddings
export {
  embed,
  trustworthiness,
  Embedding,
  EmbedOptions,
  EmbedProgress,
  embeddingFigure,
  embeddingHtml,
  embeddingPng,
} from "./embed";
// data sets and model zoo
export * as zoo from "./zoo";
export * as data from "./data";

// wasm gradient kernels (registered when the wasm backend is chosen): src/wasm/
export { useFastKernels, fastKernelsOn } from "./wasm";
