import { UMAP } from "umap-js";
import { fail } from "../errors";
import { nearestNeighbours } from "./knn";
import { Points, toRows } from "./points";
import { AbortError, Work } from "../core/work";
import { EmbedProgress, RunControl } from "./progress";
import { stepOrStop } from "./tsne";
import { Random } from "../core/random";

export interface UmapOptions extends RunControl {
  dims?: 2 | 3;
  /** Size of the local neighbourhood (default 15). */
  nNeighbors?: number;
  /** How tightly points may pack in the layout (default 0.1). */
  minDist?: number;
  /** Optimization epochs (default: umap-js's choice, 500 for small data, 200 for large). */
  epochs?: number;
  seed?: number;
}

export interface UmapResult {
  coords: Float64Array;
  dims: number;
  epochs: number;
  stoppedEarly: boolean;
}

/**
 * UMAP through umap-js, fed exact nearest neighbours (ours, so results do not depend on its random
 * projection forest) and a seeded random source so that a seed reproduces the layout.
 */
export async function umap(x: Points, options: UmapOptions = {}): Promise<UmapResult> {
  const n = x.n;
  const dims = options.dims ?? 2;
  const nNeighbors = options.nNeighbors ?? 15;
  const minDist = options.minDist ?? 0.1;
  if (dims !== 2 && dims !== 3) fail(`UMAP dims must be 2 or 3; got ${dims}.`);
  if (!Number.isInteger(nNeighbors) || nNeighbors < 2 || nNeighbors >= n) {
    fail(`UMAP nNeighbors must be an integer from 2 to below the number of points (${n}); got ${nNeighbors}.`);
  }
  if (!(minDist >= 0)) fail(`UMAP minDist must be 0 or more; got ${minDist}.`);
  if (options.epochs !== undefined && (!Number.isInteger(options.epochs) || options.epochs < 1)) {
    fail(`UMAP epochs must be a positive integer; got ${options.epochs}.`);
  }
  const { onProgress } = options;
  const work = new Work("UMAP", { signal: options.signal, progress: options.progress });
  const report = (phase: EmbedProgress["phase"], iteration: number, iterations: number) =>
    onProgress?.({ ...work.progress(), method: "umap", phase, iteration, iterations });
  const rng = new Random(options.seed ?? 0);
  const model = new UMAP({ nComponents: dims, nNeighbors, minDist, nEpochs: options.epochs, random: () => rng.uniform() });

  report("neighbours", 0, 0);
  // UMAP counts each point as its own nearest neighbour (distance 0).
  const nb = nearestNeighbours(x, nNeighbors - 1);
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let i = 0; i < n; i++) {
    const idx = [i];
    const dist = [0];
    for (let t = 0; t < nb.k; t++) {
      idx.push(nb.index[i * nb.k + t]);
      dist.push(Math.sqrt(nb.dist2[i * nb.k + t]));
    }
    indices.push(idx);
    distances.push(dist);
  }
  model.setPrecomputedKNN(indices, distances);
  report("affinities", 0, 0);
  const epochs = model.initializeFit(toRows(x.data, n, x.d));

  work.plan(epochs, "epochs");
  let done = 0;
  let stoppedEarly = false;
  while (done < epochs && !stoppedEarly) {
    done = model.step();
    if (done % 10 === 0 || done === epochs) report("optimize", done, epochs);
    stoppedEarly = await stepOrStop(work);
  }
  const coords = new Float64Array(n * dims);
  model.getEmbedding().forEach((row, i) => row.forEach((v, t) => (coords[i * dims + t] = v)));
  work.end(stoppedEarly ? new AbortError("stopped early") : undefined);
  report("done", done, epochs);
  return { coords, dims, epochs: done, stoppedEarly };
}
