/** dv.data: data sets (synthetic shapes, MNIST), image loading and preprocessing. */
export { shapes, shapePairs, shapeScenes, BIASED_TEXTURES } from "./shapes-dataset";
export type { ShapesOptions, ShapesData, ShapePairsData } from "./shapes-dataset";
export { drawScene, SHAPE_CLASSES } from "./shapes";
export type { ShapeScene, ShapeObject, ShapeClass, Box, SceneOptions } from "./shapes";
export { TEXTURES } from "./textures";
export type { TextureName } from "./textures";
export { Random } from "../core/random";
export { mnist, mnistArrays } from "./mnist";
export type { MnistOptions, MnistData } from "./mnist";
export { loadImage } from "./image";
export type { ImageSource, LoadImageOptions } from "./image";
export { preprocess, deprocess, PREPROCESS_MODES, IMAGENET_MEAN, IMAGENET_STD, CAFFE_MEAN_BGR } from "./preprocess";
export type { PreprocessMode } from "./preprocess";
export { photo, PHOTOS, ASTRONAUT_FACE } from "./photos";
export type { PhotoName, PhotoOptions } from "./photos";
