import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";

/**
 * Activations of one layer for a batch of images, computed in batches. Stand-in until the shared
 * model machinery's layerActivation lands on main; then this delegates to it.
 */
export function layerActivations(model: tf.LayersModel, layer: string | number, images: tf.Tensor, batchSize = 64): tf.Tensor {
  const names = model.layers.map((l) => l.name);
  let target: tf.layers.Layer;
  if (typeof layer === "number") {
    if (!Number.isInteger(layer) || layer < 0 || layer >= names.length) {
      fail(`layer index ${layer} is out of range: the model has ${names.length} layers (0..${names.length - 1}): ${names.join(", ")}.`);
    }
    target = model.layers[layer];
  } else {
    const found = model.layers.find((l) => l.name === layer);
    if (!found) fail(`The model has no layer named "${layer}". Its layers are: ${names.join(", ")}.`);
    target = found;
  }
  const inputShape = model.inputs[0].shape;
  if (images.rank !== inputShape.length || inputShape.slice(1).some((s, i) => s !== null && s !== images.shape[i + 1])) {
    fail(`images must be a batch shaped [N, ${inputShape.slice(1).join(", ")}] for this model; got [${images.shape.join(", ")}].`);
  }
  const output = target.output;
  if (Array.isArray(output)) fail(`Layer "${target.name}" has several outputs; pick a layer with one.`);
  const tap = tf.model({ inputs: model.inputs, outputs: output as tf.SymbolicTensor });
  return tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < images.shape[0]; start += batchSize) {
      const size = Math.min(batchSize, images.shape[0] - start);
      const batch = images.slice(start, size);
      parts.push(tap.predict(batch) as tf.Tensor);
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  });
}
