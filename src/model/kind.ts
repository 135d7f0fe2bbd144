import * as tf from "@tensorflow/tfjs";

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
