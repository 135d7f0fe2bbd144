import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { RunOptions, withWork } from "../core/work";
import { fail } from "../errors";
import { layerActivation } from "../methods/layer-methods";
import { LayerRef, resolveLayer } from "../model/layers";
import { inputShape as modelInputShape } from "../model/validate";

/**
 * Activations of one layer for a batch of images, through the shared model machinery
 * (dv.layerActivation), a batch at a time so large image sets fit in memory. Returns [N, ...layer shape]
 * and the layer's name.
 */
export async function layerActivations(
  model: Model,
  layer: LayerRef,
  images: tf.Tensor,
  run: RunOptions = {},
  batchSize = 64,
): Promise<{ values: tf.Tensor; layer: string }> {
  const name = resolveLayer(model, layer).name;
  const inputShape = modelInputShape(model);
  if (images.rank !== inputShape.length || inputShape.slice(1).some((s, i) => s !== null && s !== images.shape[i + 1])) {
    fail(
      `images must be a batch shaped [N, ${inputShape.slice(1).join(", ")}] for this model; got [${images.shape.join(", ")}].`,
    );
  }
  return withWork("activations", run, async (work) => {
    const parts: tf.Tensor[] = [];
    for await (const [start, end] of work.plan(images.shape[0], "images").chunks(images.shape[0], batchSize)) {
      const batch = work.tidy(() => images.slice(start, end - start));
      const a = await layerActivation(model, batch, { layer: name, progress: false, signal: work.signal });
      parts.push(work.tidy(() => a.values.clone()));
      a.dispose();
      work.free(batch);
    }
    return { values: tf.tidy(() => (parts.length === 1 ? parts[0].clone() : tf.concat(parts, 0))), layer: name };
  });
}
