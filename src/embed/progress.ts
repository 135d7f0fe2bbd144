import { Progress, RunOptions } from "../core/work";

/** What long embeddings report while they run (t-SNE and UMAP): the common fields and their phase. */
export interface EmbedProgress extends Progress {
  method: "tsne" | "umap" | "pca";
  phase: "neighbours" | "affinities" | "optimize" | "done";
  /** Optimization steps done and planned (0 of N before optimizing). */
  iteration: number;
  iterations: number;
  /** t-SNE: KL divergence of the current layout, measured every 50 iterations. */
  klDivergence?: number;
}

/**
 * Progress, abort and display as for every long function (src/core/work.ts), with the embeddings' own
 * reports. Aborting stops the optimization at the next step and returns the layout reached so far
 * (`stoppedEarly`), rather than rejecting.
 */
export interface RunControl extends Omit<RunOptions, "onProgress"> {
  onProgress?: (p: EmbedProgress) => void;
}
