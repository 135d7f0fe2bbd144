import { bundleFor, JUPYTER_DISPLAY, MimeBundle } from "../core/display-registry";
import { toRows } from "./points";

export type EmbedMethod = "tsne" | "pca" | "umap";
export type Label = string | number;

/** Small RGBA copies of the embedded images, kept so plots can show each point's picture. */
export interface Thumbnails {
  /** n*height*width*4 bytes, image after image. */
  rgba: Uint8ClampedArray;
  n: number;
  height: number;
  width: number;
}

/** Facts about the run: settings used and how it ended. */
export interface EmbeddingInfo {
  /** Optimization steps done (t-SNE iterations, UMAP epochs). */
  iterations?: number;
  /** True when an AbortSignal stopped the run before its last step. */
  stoppedEarly?: boolean;
  klDivergence?: number;
  perplexity?: number;
  /** PCA: share of the total variance along each axis. */
  explainedVarianceRatio?: number[];
  /** The layer whose activations were embedded, when a model was given. */
  layer?: string;
  /** Features per point in the original space. */
  inputDims: number;
  seconds: number;
  [key: string]: unknown;
}

/**
 * Low-dimensional coordinates of n points (row i is point i), their labels when given, and thumbnails
 * of their images when given. Plain data: no tensors to dispose.
 */
export class Embedding {
  constructor(
    /** n*dims coordinates, row-major. */
    readonly coords: Float32Array,
    readonly n: number,
    readonly dims: number,
    readonly method: EmbedMethod,
    readonly labels: Label[] | null,
    readonly info: EmbeddingInfo,
    readonly thumbnails: Thumbnails | null = null,
  ) {}

  /** Coordinates as rows: points[i] = [x, y] or [x, y, z]. */
  get points(): number[][] {
    return toRows(this.coords, this.n, this.dims);
  }

  toString(): string {
    const labels = this.labels ? ` labels=${new Set(this.labels).size}` : "";
    const stopped = this.info.stoppedEarly ? " (stopped early)" : "";
    return `Embedding(${this.method} ${this.n} points ${this.info.inputDims}→${this.dims} dims${labels})${stopped}`;
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return bundleFor("embedding", this, this.toString());
  }
}
