import { PreprocessMode } from "../data/preprocess";
import { IMAGENET_CLASSES } from "./imagenet-classes";

/**
 * Models committed under models/NAME: trained here by `npm run train` (LayersModels), and real trained
 * GraphModels copied from elsewhere with a model card (README.md) saying where from and under which licence.
 */
export const SHIPPED_MODELS = ["shapes_cnn", "shapes_vgg", "shapes_biased", "mnist_cnn", "emotion"] as const;
/** The shipped models that are GraphModels (zoo.load types their `model` as tf.GraphModel). */
export type GraphZooName = "emotion";

/** Pretrained ImageNet LayersModels published by the TensorFlow.js team, fetched on first use. */
export interface PretrainedEntry {
  url: string;
  inputShape: [number, number, number];
  preprocessing: PreprocessMode;
  classNames: readonly string[];
  lastConvLayer: string;
  description: string;
}

const TFJS_MODELS = "https://storage.googleapis.com/tfjs-models/tfjs";

export const PRETRAINED_MODELS: Record<string, PretrainedEntry> = {
  mobilenet_v1: {
    url: `${TFJS_MODELS}/mobilenet_v1_1.0_224/model.json`,
    inputShape: [224, 224, 3],
    preprocessing: "-1-1",
    classNames: IMAGENET_CLASSES,
    lastConvLayer: "conv_pw_13_relu",
    description: "MobileNet v1 (width 1.0, 224×224), Keras weights converted to a tfjs LayersModel; 17 MB.",
  },
  mobilenet_v1_025: {
    url: `${TFJS_MODELS}/mobilenet_v1_0.25_224/model.json`,
    inputShape: [224, 224, 3],
    preprocessing: "-1-1",
    classNames: IMAGENET_CLASSES,
    lastConvLayer: "conv_pw_13_relu",
    description: "MobileNet v1 (width 0.25, 224×224), small and fast; 2 MB.",
  },
  mobilenet_v2: {
    url: `${TFJS_MODELS}/mobilenet_v2_1.0_224/model.json`,
    inputShape: [224, 224, 3],
    preprocessing: "-1-1",
    classNames: IMAGENET_CLASSES,
    lastConvLayer: "out_relu",
    description: "MobileNet v2 (width 1.0, 224×224) as a tfjs LayersModel; 14 MB.",
  },
};
