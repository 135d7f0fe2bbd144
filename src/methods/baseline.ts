import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";

/** A reference input (IG's path start, DeepLift's reference, an ablation's fill) shaped like the batch `x`. */
export function baselineLike(baseline: number | tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (typeof baseline === "number") {
    if (!Number.isFinite(baseline)) fail(`baseline must be a finite number; got ${baseline}.`);
    return tf.fill(x.shape, baseline);
  }
  if (!(baseline instanceof tf.Tensor)) fail("baseline must be a number or a tf.Tensor.");
  const item = x.shape.slice(1);
  if (baseline.shape.join() === item.join()) return tf.tidy(() => tf.add(tf.zerosLike(x), baseline));
  if (baseline.shape.join() === x.shape.join()) return baseline;
  return fail(
    `baseline has shape [${baseline.shape.join(", ")}]; expected [${item.join(", ")}] (one example) or [${x.shape.join(", ")}] (the batch).`,
  );
}
