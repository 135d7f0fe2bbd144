/** dv.zoo: shipped and pretrained models, model files, ImageNet class names. */
export { load, list, topClasses, modelsDir } from "./load";
export type { ZooModel, LoadOptions } from "./load";
export { cacheDir, downloadModel } from "./cache";
export { loadLayersModelFile, saveLayersModel, readArtifacts } from "./files";
export { IMAGENET_CLASSES } from "./imagenet-classes";
export { SHIPPED_MODELS, PRETRAINED_MODELS } from "./registry";
export type { PretrainedEntry } from "./registry";
export type { ShippedMeta } from "./meta";
export { gapCnn, vggStyle, mnistCnn } from "./architectures";
