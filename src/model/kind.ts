import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";

/**
 * The two kinds of model DeepViz explains: a tf.LayersModel (run layer by layer) and a tf.GraphModel
 * (a converted SavedModel or Keras model, run node by node). Methods take either; only the model
 * machinery (src/model) looks at which one it has.
 */
export type Model = tf.LayersModel | tf.GraphModel;

/** Duck-typed so that a model built with another copy of tfjs is recognised too. */
export function isGraphModel(model: unknown): model is tf.GraphModel {
  const m = model as { execute?: unknown; executeAsync?: unknown; layers?: unknown } | null;
  return (
    m != null &&
    typeof m === "object" &&
    typeof m.execute === "function" &&
    typeof m.executeAsync === "function" &&
    !Array.isArray(m.layers)
  );
}

/** For methods whose backward rules read layers (LRP, DeepLift): the LayersModel, or a DeepVizError saying why not. */
export function layersModelFor(method: string, model: Model): tf.LayersModel {
  if (isGraphModel(model))
    fail(
      `${method} needs a tf.LayersModel: its backward rules are keyed by layer type and read layer weights, which a GraphModel's op nodes do not have. Use integratedGradients or gradientShap on a GraphModel.`,
    );
  return model as tf.LayersModel;
}
