import { fail } from "../errors";
import { conditionalAffinities, SparseRows, symmetrize } from "./affinities";
import { attractionRows } from "./attraction";
import { nearestNeighbours } from "./knn";
import { pcaProject } from "./pca";
import { Points } from "./points";
import { AbortError, Work } from "../core/work";
import { RunControl } from "./progress";
import { Random } from "../core/random";
import { GridRepulsion } from "./grid-repulsion";
import { GradientPool } from "./gradient-pool";
import { SpaceTree } from "./space-tree";

export interface TsneOptions extends RunControl {
  dims?: 2 | 3;
  /** Effective number of neighbours each point's Gaussian covers (default 30; must be below the point count). */
  perplexity?: number;
  /** Total gradient steps (default 1000). */
  iterations?: number;
  /** Steps with exaggerated attraction at the start (default 250). */
  exaggerationIterations?: number;
  earlyExaggeration?: number;
  /** "auto" (default) = max(n / earlyExaggeration / 4, 50), as scikit-learn. */
  learningRate?: number | "auto";
  /** Barnes–Hut accuracy: a cell counts as one body when width/distance < theta (default 0.5; 0 = exact). */
  theta?: number;
  init?: "pca" | "random";
  seed?: number;
  /** Threads for the Barnes–Hut repulsion of 2-D layouts (default: the available cores; 1 = this thread only). */
  threads?: number;
  /**
   * How 2-D layouts sum their repulsion: "tree" (Barnes–Hut, theta), "grid" (FFT interpolation,
   * src/embed/grid-repulsion.ts), or "auto" (default): each iteration takes whichever the cost model
   * (useGrid) predicts cheaper. 3-D layouts always use the tree.
   */
  repulsion?: "auto" | "tree" | "grid";
}

export interface TsneResult {
  coords: Float64Array;
  dims: number;
  klDivergence: number;
  iterations: number;
  stoppedEarly: boolean;
}

const MOMENTUM_EARLY = 0.5;
const MOMENTUM_LATE = 0.8;
const MIN_GAIN = 0.01;
/** Measured cost per unit of each repulsion's law (see useGrid). */
const GRID_NS = 28;
const GRID_POINT_NS = 150;
const TREE_NS = 175;

/** KL(P‖Q) over P's nonzero entries; Q = w/Z with w = 1/(1+d²). */
function klDivergence(p: SparseRows, y: Float64Array, dims: number, z: number): number {
  let kl = 0;
  for (let i = 0; i < p.n; i++) {
    for (let e = p.rowStart[i]; e < p.rowStart[i + 1]; e++) {
      const j = p.cols[e];
      let d2 = 0;
      for (let t = 0; t < dims; t++) {
        const diff = y[i * dims + t] - y[j * dims + t];
        d2 += diff * diff;
      }
      const q = 1 / (1 + d2) / z;
      const pij = p.vals[e];
      if (pij > 0) kl += pij * Math.log(pij / Math.max(q, Number.MIN_VALUE));
    }
  }
  return kl;
}

function initialLayout(x: Points, dims: number, init: "pca" | "random", rng: Random): Float64Array {
  const y = new Float64Array(x.n * dims);
  if (init === "random") {
    for (let i = 0; i < y.length; i++) y[i] = 1e-4 * rng.normal();
    return y;
  }
  // PCA start, scaled so the first coordinate has standard deviation 1e-4 (a tiny, structured start).
  const proj = pcaProject(x, Math.min(dims, x.d)).coords;
  const k = Math.min(dims, x.d);
  let mean = 0;
  for (let i = 0; i < x.n; i++) mean += proj[i * k];
  mean /= x.n;
  let variance = 0;
  for (let i = 0; i < x.n; i++) variance += (proj[i * k] - mean) ** 2;
  const std = Math.sqrt(variance / x.n) || 1;
  for (let i = 0; i < x.n; i++) {
    for (let t = 0; t < dims; t++) y[i * dims + t] = t < k ? (proj[i * k + t] / std) * 1e-4 : 1e-4 * rng.normal();
  }
  return y;
}

/**
 * t-SNE: affinities over each point's 3·perplexity nearest neighbours (knn.ts) calibrated to the
 * perplexity, then gradient descent with early exaggeration, momentum and per-coordinate gains. The
 * repulsion is Barnes–Hut (van der Maaten 2014) or, on 2-D iterations where useGrid predicts it cheaper,
 * FFT interpolation on a grid (Linderman et al. 2019); attraction and tree walks run on worker threads.
 */
export async function tsne(x: Points, options: TsneOptions = {}): Promise<TsneResult> {
  const n = x.n;
  const dims = options.dims ?? 2;
  const perplexity = options.perplexity ?? 30;
  const iterations = options.iterations ?? 1000;
  const exaggerationIterations = Math.min(options.exaggerationIterations ?? 250, iterations);
  const exaggeration = options.earlyExaggeration ?? 12;
  const theta = options.theta ?? 0.5;
  const seed = options.seed ?? 0;
  const init = options.init ?? "pca";
  if (dims !== 2 && dims !== 3) fail(`t-SNE dims must be 2 or 3; got ${dims}.`);
  if (n < 4) fail(`t-SNE needs at least 4 points; got ${n}.`);
  if (!(perplexity > 0) || perplexity >= n) {
    fail(
      `perplexity must be positive and smaller than the number of points (${n}); got ${perplexity}. Try ${Math.max(1, Math.min(30, Math.floor((n - 1) / 3)))}.`,
    );
  }
  if (!Number.isInteger(iterations) || iterations < 1) fail(`iterations must be a positive integer; got ${iterations}.`);
  if (!(exaggeration >= 1)) fail(`earlyExaggeration must be at least 1; got ${exaggeration}.`);
  if (!(theta >= 0)) fail(`theta must be 0 or more; got ${theta}.`);
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    fail(`threads must be a positive integer; got ${options.threads}.`);
  }
  const repulsion = options.repulsion ?? "auto";
  if (!["auto", "tree", "grid"].includes(repulsion)) {
    fail(`repulsion must be "auto", "tree" or "grid"; got ${JSON.stringify(options.repulsion)}.`);
  }
  if (init !== "pca" && init !== "random") fail(`init must be "pca" or "random"; got ${JSON.stringify(init)}.`);
  const learningRate =
    options.learningRate === undefined || options.learningRate === "auto"
      ? Math.max(n / exaggeration / 4, 50)
      : options.learningRate;
  if (!(learningRate > 0)) fail(`learningRate must be positive or "auto"; got ${options.learningRate}.`);

  const { onProgress } = options;
  const work = new Work("t-SNE", { signal: options.signal, progress: options.progress }).plan(iterations, "iterations");
  const report = (phase: "neighbours" | "affinities" | "optimize" | "done", iteration: number, kl?: number) =>
    onProgress?.({ ...work.progress(), method: "tsne", phase, iteration, iterations, klDivergence: kl });

  const clock = new StageClock();
  report("neighbours", 0);
  const k = Math.min(n - 1, Math.floor(3 * perplexity + 1));
  const nb = nearestNeighbours(x, k);
  clock.lap("neighbours");
  report("affinities", 0);
  const p = symmetrize(nb, conditionalAffinities(nb, n, perplexity), n);
  clock.lap("affinities");

  const rng = new Random(seed);
  const y = initialLayout(x, dims, init, rng);
  const update = new Float64Array(n * dims);
  const gains = new Float64Array(n * dims).fill(1);
  const repulsionForce = new Float64Array(n * dims);
  const attractionForce = new Float64Array(n * dims);
  const force = new Float64Array(dims);
  const zs = new Float64Array(n);
  const pool = dims === 2 ? GradientPool.create(p, options.threads) : null;
  const tree = new SpaceTree(dims, n, pool !== null);
  const grid = dims === 2 && repulsion !== "tree" ? new GridRepulsion(n) : null;
  const theta2 = theta * theta;
  let z = 1;
  let kl = NaN;
  let done = 0;
  let stoppedEarly = false;
  clock.lap("setup");

  try {
    for (let iter = 0; iter < iterations && !stoppedEarly; iter++) {
      const exag = iter < exaggerationIterations ? exaggeration : 1;
      const momentum = iter < exaggerationIterations ? MOMENTUM_EARLY : MOMENTUM_LATE;

      // Attraction, and repulsion with Z, the normalizer of Q: gradient = 4 (attraction − repulsion / Z).
      const phase = iter < exaggerationIterations ? "early" : "late";
      const side = grid !== null ? GridRepulsion.fftSize(y, n) : 0;
      const onGrid = grid !== null && (repulsion === "grid" || useGrid(side, n));
      if (pool) {
        // the grid, or the tree's build, on this thread while the workers start on the attraction
        const own = () => {
          if (onGrid) z = grid.run(y, repulsionForce);
        };
        const walk = onGrid ? null : { tree, theta2, repulsion: repulsionForce };
        const walkZ = pool.run(y, exag, attractionForce, own, walk);
        if (walk) z = walkZ;
        clock.lap(`${phase} pool ${onGrid ? `grid L=${side}` : "tree"} + attraction`);
      } else if (onGrid) {
        attractionRows(p.rowStart, p.cols, p.vals, y, dims, exag, 0, n, attractionForce);
        z = grid.run(y, repulsionForce);
        clock.lap(`${phase} attraction + grid L=${side}`);
      } else {
        tree.build(y, n);
        attractionRows(p.rowStart, p.cols, p.vals, y, dims, exag, 0, n, attractionForce);
        clock.lap(`${phase} tree build + attraction`);
        for (let k = 0; k < n; k++) {
          const i = tree.order[k];
          force.fill(0);
          zs[i] = dims === 2 ? tree.repulsion2(y, i, theta2, force) : tree.repulsion(y, i, theta2, force);
          for (let t = 0; t < dims; t++) repulsionForce[i * dims + t] = force[t];
        }
        z = 0;
        for (let i = 0; i < n; i++) z += zs[i]; // in point order, as the threads' terms are summed
        clock.lap(`${phase} tree walk`);
      }
      const invZ = 1 / Math.max(z, Number.MIN_VALUE);
      // Gains grow where the gradient changed sign against the last update and shrink where it kept it.
      for (let c = 0; c < n * dims; c++) {
        const g = 4 * (attractionForce[c] - repulsionForce[c] * invZ);
        gains[c] = update[c] * g < 0 ? gains[c] + 0.2 : Math.max(gains[c] * 0.8, MIN_GAIN);
        update[c] = momentum * update[c] - learningRate * gains[c] * g;
        y[c] += update[c];
      }
      done = iter + 1;
      clock.lap(`${phase} update`);
      // KL costs about as much as an iteration's attraction: only for listeners, and once at the end
      if ((onProgress && done % 50 === 0) || done === iterations) {
        kl = klDivergence(p, y, dims, z);
        report("optimize", done, kl);
      }
      stoppedEarly = await stepOrStop(work);
      clock.lap(`${phase} kl+progress`);
    }
  } finally {
    pool?.close();
  }
  if (Number.isNaN(kl) || stoppedEarly) {
    tree.build(y, n);
    z = 0;
    for (let i = 0; i < n; i++) {
      force.fill(0);
      z += tree.repulsion(y, i, theta2, force);
    }
    kl = klDivergence(p, y, dims, z);
  }
  clock.lap("final kl");
  clock.print(`t-SNE stages, n = ${n}, ${pool?.threads ?? 1} thread(s)`);
  work.end(stoppedEarly ? new AbortError("stopped early") : undefined);
  report("done", done, kl);
  return { coords: y, dims, klDivergence: kl, iterations: done, stoppedEarly };
}

/**
 * Wall time per stage of a run, printed to stderr at the end when DEEPVIZ_TSNE_PROFILE is set (for
 * bench/embed.ts and profiling; silent and nearly free otherwise).
 */
class StageClock {
  private readonly on = !!process.env.DEEPVIZ_TSNE_PROFILE;
  private last = this.on ? performance.now() : 0;
  private readonly ms = new Map<string, { ms: number; count: number }>();

  lap(stage: string): void {
    if (!this.on) return;
    const now = performance.now();
    const entry = this.ms.get(stage) ?? { ms: 0, count: 0 };
    entry.ms += now - this.last;
    entry.count++;
    this.ms.set(stage, entry);
    this.last = now;
  }

  print(title: string): void {
    if (!this.on) return;
    let total = 0;
    for (const { ms } of this.ms.values()) total += ms;
    const lines = [...this.ms].map(
      ([stage, { ms, count }]) => `  ${stage.padEnd(32)} ${(ms / 1000).toFixed(3).padStart(8)} s  ×${count}`,
    );
    process.stderr.write(`${title}: ${(total / 1000).toFixed(3)} s\n${lines.join("\n")}\n`);
  }
}

/**
 * Whether the FFT grid (side L) is predicted cheaper than Barnes–Hut over n points, from their cost
 * laws (grid: L² log L + n, tree: n log n) with constants measured on this project's 2-core machine in
 * one run, one thread each (at n = 20,000: grid 3 ms at L = 64, 63 ms at L = 512, 215 ms at L = 1024;
 * tree 85–128 ms). The grid wins while the layout is small (early iterations) and for large n. Independent
 * of the thread count, so every thread count gives the same layout.
 */
export function useGrid(L: number, n: number): boolean {
  return GRID_NS * L * L * Math.log2(L) + GRID_POINT_NS * n < TREE_NS * n * Math.log2(n);
}

/** One optimization step counted: true when the run's signal says stop (the layout so far is kept). */
export async function stepOrStop(work: Work): Promise<boolean> {
  try {
    await work.step(1, false);
    return false;
  } catch (e) {
    if (e instanceof AbortError) return true;
    throw e;
  }
}
