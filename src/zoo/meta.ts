import { PreprocessMode } from "../data/preprocess";

/** What `models/NAME/meta.json` records about a shipped model (written by `npm run train`). */
export interface ShippedMeta {
  name: string;
  inputShape: [number, number, number];
  classNames: string[];
  preprocessing: PreprocessMode;
  /** Last conv layer (the default layer for CAM methods) and all conv layers in order. */
  lastConvLayer: string;
  convLayers: string[];
  /** Test-set accuracy in [0, 1] by test set name. */
  accuracy: Record<string, number>;
  training: {
    steps: number;
    batch: number;
    seed: number;
    learningRate: number;
    backend: string;
    seconds: number;
    testSize: number;
  };
}
