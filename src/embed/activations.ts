import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { fail } from "../errors";
import { layerActivation } from "../methods/layer-methods";
import { LayerRef, resolveLayer } from "../model/layers";
import { inputShape as modelInputShape } from "../model/validate";

/**
 * Activations of one layer for a batch of images, through the shared model machinery
 * (dv.layerActivation), a batch at a time so large image sets fit in memory. Returns [N, ...layer shape]
 * and the layer's name.
 */
export async function layerActivations(model: Model, layer: LayerRef, images: tf.Tensor, batchSize = 64): Promise<{ values: tf.Tensor; layer: string }> {
  const name = resolveLayer(model, layer).name;
  const inputShape = modelInputShape(model);
  if (images.rank !== inputShape.length || inputShape.slice(1).some((s, i) => s !== null && s !== images.shape[i + 1])) {
    fail(`images must be a batch shaped [N, ${inputShape.slice(1).join(", ")}] for this model; got [${images.shape.join(", ")}].`);
  }
  const parts: tf.Tensor[] = [];
  try {
    for (let start = 0; start < images.shape[0]; start += batchSize) {
      const batch = images.slice(start, Math.min(batchSize, images.shape[0] - start));
      try {
        const a = await layerActivation(model, batch, { layer: name });
        parts.push(a.values.clone());
        a.dispose();
      } finally {
        batch.dispose();
      }
    }
    return { values: parts.length === 1 ? parts[0].clone() : tf.concat(parts, 0), layer: name };
  } finally {
    tf.dispose(parts);
  }
}
