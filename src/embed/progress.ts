/** What long embeddings report while they run (t-SNE and UMAP). */
export interface EmbedProgress {
  method: "tsne" | "umap" | "pca";
  phase: "neighbours" | "affinities" | "optimize" | "done";
  /** Optimization steps done and planned (0 of N before optimizing). */
  iteration: number;
  iterations: number;
  /** t-SNE: KL divergence of the current layout, measured every 50 iterations. */
  klDivergence?: number;
}

export interface RunControl {
  onProgress?: (p: EmbedProgress) => void;
  /** Aborting stops the optimization at the next step; the layout reached so far is returned. */
  signal?: AbortSignal;
}

/** Yields to the event loop now and then (so progress displays and abort signals get through), cheaply. */
export class Yielder {
  private last = Date.now();
  constructor(private readonly everyMs = 40) {}
  async maybeYield(): Promise<void> {
    const now = Date.now();
    if (now - this.last < this.everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = Date.now();
  }
}
