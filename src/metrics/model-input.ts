import * as tf from "@tensorflow/tfjs";
import { Target } from "../attribution";
import { backend } from "../backend";
import { fail } from "../errors";
import { endsInSoftmax, forward } from "../model/interpreter";
import { Model } from "../model/kind";
import { assertModel, batchInput } from "../model/validate";
import { resolveTarget, ResolvedTarget } from "../targets";

export interface ModelMetricOptions {
  /** Class index (or one per example), "predicted" (default: the top class of the unperturbed input), or a function of the output. */
  target?: Target;
  /**
   * Which output is recorded: "probability" (default: the model's own output, so the class
   * probability for a model ending in softmax) or "score" (the pre-softmax score the methods explain).
   */
  output?: "probability" | "score";
  /** Perturbed inputs per forward pass (default 32). */
  batchSize?: number;
}

/** A model metric's validated input, with a batch axis, and its resolved target. The caller disposes `x`. */
export interface ModelInput {
  model: Model;
  x: tf.Tensor;
  /** One example's shape. */
  item: number[];
  target: ResolvedTarget;
  /** The recorded output of each row of `batch`, where row r belongs to example rows[r]. */
  outputs(batch: tf.Tensor, rows: number[]): Float32Array;
}

export async function modelInput(model: unknown, input: unknown, options: ModelMetricOptions): Promise<ModelInput> {
  assertModel(model);
  await backend();
  const output = options.output ?? "probability";
  if (output !== "probability" && output !== "score")
    fail(`output must be "probability" or "score"; got ${JSON.stringify(output)}.`);
  const logits = output === "score" || !endsInSoftmax(model);
  let target!: ResolvedTarget;
  const x = tf.tidy(() => {
    const { x } = batchInput(model, input);
    target = resolveTarget(model, x, options.target);
    return tf.clone(x);
  });
  return {
    model,
    x,
    item: x.shape.slice(1),
    target,
    outputs: (batch, rows) =>
      tf.tidy(() => target.score(forward(model, batch, { logits }).output, rows).dataSync() as Float32Array),
  };
}

/** A baseline shaped like one example (row e of the batch), from a number or a tensor like an example or the batch. */
export function baselineRow(baseline: number | tf.Tensor, x: tf.Tensor, e: number): tf.Tensor {
  if (typeof baseline === "number") {
    if (!Number.isFinite(baseline)) fail(`baseline must be a finite number; got ${baseline}.`);
    return tf.fill([1, ...x.shape.slice(1)], baseline);
  }
  if (!(baseline instanceof tf.Tensor)) fail("baseline must be a number or a tf.Tensor.");
  const item = x.shape.slice(1);
  if (baseline.shape.join() === item.join()) return tf.expandDims(baseline, 0);
  if (baseline.shape.join() === x.shape.join()) return tf.slice(baseline, e, 1);
  return fail(
    `baseline has shape [${baseline.shape.join(", ")}]; expected [${item.join(", ")}] (one example) or [${x.shape.join(", ")}] (the batch).`,
  );
}
