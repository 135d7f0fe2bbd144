export { DeepVizError } from "./errors";
export { backend } from "./backend";
export { Attribution, Target } from "./attribution";

// model machinery
export { loadModel } from "./model/load";
export { listLayers, resolveLayer, LayerInfo, LayerRef } from "./model/layers";
export { forward, endsInSoftmax, ForwardOptions, ForwardPass } from "./model/interpreter";
export { ReluMode } from "./model/relu";

// attribution methods
export { saliency, inputXGradient, SaliencyOptions } from "./methods/saliency";
export { integratedGradients, IntegratedGradientsOptions } from "./methods/integrated-gradients";
export { smoothGrad, SmoothGradOptions, AttributionMethod } from "./methods/smooth-grad";
export { occlusion, OcclusionOptions } from "./methods/occlusion";
export { layerActivation, layerGradients, neuronGradient, LayerOptions, LayerGradientsOptions, NeuronGradientOptions } from "./methods/layer-methods";
export { IntegrationMethod } from "./methods/quadrature";
export { activationMaximization, ActivationMaximizationOptions } from "./methods/activation-maximization";

// wasm gradient kernels (registered when the wasm backend is chosen)
export { useFastKernels, fastKernelsOn } from "./kernels";
