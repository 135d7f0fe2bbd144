import * as tf from "@tensorflow/tfjs";
import { bundleFor, JUPYTER_DISPLAY, MimeBundle } from "./core/display-registry";
import type { Model } from "./model/kind";

/** Every attribution method's shape: the registry (src/methods/registry.ts) lists them. */
export type AttributionMethod<O = any> = (model: Model, input: tf.Tensor, options?: O) => Promise<Attribution>;

/** What a target means after resolution: fixed class indices (one per batch item) or a score function. */
export type Target = number | number[] | "predicted" | ((output: tf.Tensor) => tf.Tensor);

/**
 * The result of every attribution method. `values` is raw and unnormalized, shaped like the input
 * (layer methods: like the layer, or upsampled to the input). The attribution owns `values` and its
 * copy of `input`; `dispose()` frees both.
 */
export class Attribution {
  constructor(
    /** Raw attribution values. */
    readonly values: tf.Tensor,
    /** Method name, e.g. "saliency", "integratedGradients". */
    readonly method: string,
    /** The input explained (batched or not, as the user passed it); owned by this object. */
    readonly input: tf.Tensor,
    /** Class index per batch item, or null when the target was a function. */
    readonly target: number[] | null,
    /** Whether the input (and values) carry a leading batch axis added by the user. */
    readonly batched: boolean,
    /** Extra facts: the layer explained, IG's completeness delta per item, options used. */
    readonly info: { layer?: string; delta?: number[]; [k: string]: unknown } = {},
  ) {}

  get layer(): string | undefined {
    return this.info.layer;
  }

  get delta(): number[] | undefined {
    return this.info.delta;
  }

  dispose(): void {
    this.values.dispose();
    this.input.dispose();
  }

  toString(): string {
    const t = this.target ? ` target=${JSON.stringify(this.target)}` : "";
    const l = this.layer ? ` layer=${this.layer}` : "";
    return `Attribution(${this.method}${l}${t} shape=[${this.values.shape.join(",")}])`;
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return bundleFor("attribution", this, this.toString());
  }
}
