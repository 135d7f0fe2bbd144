import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { forward } from "../model/interpreter";
import { assertPositiveInt } from "../model/validate";
import { autoBatchSize, inChunks } from "./batching";
import { CamOptions, layerCams, weightedSum } from "./cam-maps";
import { explain } from "./explain";

export interface AblationCamOptions extends CamOptions {
  /** Ablated copies per forward pass (default: sized to fit memory). */
  batchSize?: number;
}

/**
 * Ablation-CAM (Desai & Ramaswamy 2020), gradient-free: w_k = (y − y_k) / y, where y is the target
 * score and y_k the score with channel k of the layer set to zero (the rest of the network runs from
 * the ablated layer on); map = ReLU(Σ_k w_k A_k). When y is exactly 0 the weights are y − y_k.
 * Costs one forward pass per channel, in batches. Shapes and options as dv.gradCam.
 */
export async function ablationCam(model: Model, input: tf.Tensor, options: AblationCamOptions = {}): Promise<Attribution> {
  if (options.batchSize !== undefined) assertPositiveInt(options.batchSize, "batchSize");
  return explain("ablationCam", model, input, options, (ctx) =>
    layerCams(ctx, options, (layers) => {
      const pass = forward(ctx.model, ctx.x, { capture: layers });
      const y = ctx.target.score(pass.output, ctx.allRows);
      return layers.map((layer) => {
        const a = pass.activations.get(layer)!;
        const channels = a.shape[a.rank - 1];
        const size = options.batchSize ?? autoBatchSize(ctx.model, channels, 64 * 2 ** 20);
        const perExample: tf.Tensor[] = [];
        for (let e = 0; e < ctx.x.shape[0]; e++) {
          const ae = tf.slice(a, e, 1);
          const xe = tf.slice(ctx.x, e, 1);
          const ablated: tf.Tensor[] = [];
          inChunks(channels, size, (start, end) => {
            ablated.push(
              tf.tidy(() => {
                const n = end - start;
                // row r keeps every channel but start + r
                const keep = tf.sub(1, tf.oneHot(tf.range(start, end, 1, "int32"), channels));
                const value = tf.mul(ae, tf.reshape(keep, [n, ...new Array(a.rank - 2).fill(1), channels]));
                const out = forward(ctx.model, tf.tile(xe, [n, ...new Array(xe.rank - 1).fill(1)]), {
                  startAt: { layer, value },
                }).output;
                return ctx.target.score(out, ctx.rowsFor(e, n));
              }),
            );
          });
          const ye = tf.slice(y, e, 1);
          const drop = tf.sub(ye, tf.concat(ablated));
          const weights = tf.where(tf.equal(ye, 0), drop, tf.div(drop, ye));
          perExample.push(weightedSum(ae, tf.reshape(weights, [1, channels])));
        }
        return tf.concat(perExample);
      });
    }),
  );
}
