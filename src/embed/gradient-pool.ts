/**
 * t-SNE's gradient on a 2-D layout split over worker threads: the attraction (row by row over P) and,
 * on Barnes–Hut iterations, the repulsion (a walk of the tree per point). The tree, P and the layout
 * live in SharedArrayBuffers. The workers start on the attraction while the caller's thread builds the
 * tree (or sums the grid's repulsion); then every thread takes runs of rows, and of walks, from shared
 * counters until none is left. Each uses the very functions the single-threaded path uses
 * (attractionRows, repulsion2D, whose sources the workers evaluate) and writes each point's terms,
 * which the caller then sums in point order: results equal one thread's bit for bit.
 * Workers never hold the process open.
 */
import * as os from "os";
import { MessageChannel, MessagePort, Worker } from "worker_threads";
import { SparseRows } from "./affinities";
import { attractionRows } from "./attraction";
import { repulsion2D, SpaceTree } from "./space-tree";

/** Fewer points than this: a thread hand-off costs more than it saves. */
const MIN_POINTS = 1000;
/** Attraction rows and tree walks are dealt out in runs of this many (walks: points of the tree's Morton order). */
const ROW_RUN = 256;
const WALK_RUN = 64;

/** What one generation of work reads: the arrays of the tree, P, the layout and the outputs. */
interface Shared {
  cells: Float64Array;
  firstChild: Int32Array;
  leafOf: Int32Array;
  order: Int32Array;
  rowStart: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
  y: Float64Array;
  repulsion: Float64Array;
  zs: Float64Array;
  attraction: Float64Array;
  /** n, theta², walk the tree (1) or not (0), exaggeration, ROW_RUN, WALK_RUN. */
  params: Float64Array;
}

/**
 * control[] slots: the generation, workers still busy, the generation whose tree is built, the next
 * attraction run, the next walk run.
 */
const GENERATION = 0;
const BUSY = 1;
const TREE_READY = 2;
const NEXT_ROWS = 3;
const NEXT_WALKS = 4;

/**
 * Attraction rows, then (`walks`) tree walks in runs of the tree's Morton order (spatially close points
 * in turn), each run taken from a shared counter until none is left: a thread busy with other work
 * (the caller's tree or grid) simply takes fewer. The counters' slots are NEXT_ROWS and NEXT_WALKS.
 */
function takeRuns(
  s: Shared,
  control: Int32Array,
  walks: boolean,
  stack: Int32Array,
  force: Float64Array,
  walk: typeof repulsion2D,
  attract: typeof attractionRows,
): void {
  const { params } = s;
  const n = params[0];
  const rows = params[4];
  for (let start = Atomics.add(control, 3, 1) * rows; start < n; start = Atomics.add(control, 3, 1) * rows) {
    attract(s.rowStart, s.cols, s.vals, s.y, 2, params[3], start, Math.min(n, start + rows), s.attraction);
  }
  if (!walks) return;
  const run = params[5];
  for (let start = Atomics.add(control, 4, 1) * run; start < n; start = Atomics.add(control, 4, 1) * run) {
    for (let k = start; k < Math.min(n, start + run); k++) {
      const i = s.order[k];
      force[0] = 0;
      force[1] = 0;
      s.zs[i] = walk(s.cells, s.firstChild, s.leafOf, stack, s.y, i, params[1], force);
      s.repulsion[2 * i] = force[0];
      s.repulsion[2 * i + 1] = force[1];
    }
  }
}

/**
 * The worker: waits for a new generation, takes any new arrays, takes attraction runs, then (walk
 * generations) waits for the tree and takes walk runs, and counts itself done.
 */
function workerMain(takeRunsOf: typeof takeRuns, walk: typeof repulsion2D, attract: typeof attractionRows): void {
  const { receiveMessageOnPort, workerData } = require("worker_threads");
  const { control, port } = workerData as { control: Int32Array; port: unknown };
  let shared: Shared | null = null;
  const stack = new Int32Array(1024);
  const force = new Float64Array(2);
  let seen = 0;
  for (;;) {
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    if (seen < 0) return;
    // synchronous receives (no closures here: bundlers may wrap them in helpers this source lacks); this
    // thread never returns to its event loop while the pool lives
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) shared = m.message;
    const walks = shared!.params[2] === 1;
    takeRunsOf(shared!, control, false, stack, force, walk, attract);
    if (walks) {
      for (let built = Atomics.load(control, 2); built !== seen; built = Atomics.load(control, 2)) {
        Atomics.wait(control, 2, built);
      }
      // the tree may have grown into new buffers
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) shared = m.message;
      takeRunsOf(shared!, control, true, stack, force, walk, attract);
    }
    Atomics.sub(control, 1, 1);
    Atomics.notify(control, 1);
  }
}

export class GradientPool {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * 5));
  private readonly shared: Shared;
  private readonly stack = new Int32Array(1024);
  private readonly force = new Float64Array(2);
  private sentFor: Float64Array | null = null;
  private readonly ports: MessagePort[] = [];

  private constructor(
    private readonly workers: Worker[],
    private readonly n: number,
    p: SparseRows,
  ) {
    const f64 = (len: number) => new Float64Array(new SharedArrayBuffer(8 * len));
    const i32 = (from: Int32Array) => {
      const a = new Int32Array(new SharedArrayBuffer(4 * from.length));
      a.set(from);
      return a;
    };
    const vals = f64(p.vals.length);
    vals.set(p.vals);
    this.shared = {
      cells: new Float64Array(0),
      firstChild: new Int32Array(0),
      leafOf: new Int32Array(0),
      order: new Int32Array(0),
      rowStart: i32(p.rowStart),
      cols: i32(p.cols),
      vals,
      y: f64(2 * n),
      repulsion: f64(2 * n),
      zs: f64(n),
      attraction: f64(2 * n),
      params: f64(6),
    };
  }

  /** A pool of `threads` (the caller's thread included) for P's layout, or null when one thread is all it would use. */
  static create(p: SparseRows, threads = defaultThreads()): GradientPool | null {
    const n = p.n;
    if (threads <= 1 || n < MIN_POINTS || typeof SharedArrayBuffer !== "function") return null;
    const pool = new GradientPool([], n, p);
    const source =
      `const repulsion2D = ${repulsion2D.toString()};\nconst attractionRows = ${attractionRows.toString()};\n` +
      `const takeRuns = ${takeRuns.toString()};\n(${workerMain.toString()})(takeRuns, repulsion2D, attractionRows);`;
    for (let index = 1; index < threads; index++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(source, {
        eval: true,
        workerData: { control: pool.control, port: port2 },
        transferList: [port2],
      });
      worker.unref();
      port1.unref();
      port1.postMessage(pool.shared);
      pool.workers.push(worker);
      pool.ports.push(port1);
    }
    return pool;
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * The attraction exag·Σ_j p_ij w_ij (y_i − y_j) into `attraction` (n×2) while this thread first does
   * `own` (the caller's share: the grid's repulsion, say), and, with `walk`, the Barnes–Hut repulsion
   * into walk.repulsion (n×2) from walk.tree, which this thread builds over y meanwhile; returns
   * Z = Σ_i Σ_j w_ij from the walk (NaN without one).
   */
  run(
    y: Float64Array,
    exag: number,
    attraction: Float64Array,
    own: () => void,
    walk: { tree: SpaceTree; theta2: number; repulsion: Float64Array } | null,
  ): number {
    const { n, shared, control } = this;
    shared.y.set(y.subarray(0, 2 * n));
    shared.params.set([n, walk?.theta2 ?? 0, walk ? 1 : 0, exag, ROW_RUN, WALK_RUN]);
    Atomics.store(control, NEXT_ROWS, 0);
    Atomics.store(control, NEXT_WALKS, 0);
    Atomics.store(control, BUSY, this.workers.length);
    const generation = Atomics.add(control, GENERATION, 1) + 1;
    Atomics.notify(control, GENERATION);
    own();
    if (walk) {
      const { tree } = walk;
      tree.build(y, n);
      if (this.sentFor !== tree.cells) {
        // the tree grew into new buffers (or this is the first walk): hand the workers the new ones
        Object.assign(shared, {
          cells: tree.cells,
          firstChild: tree.firstChild,
          leafOf: tree.leafOf,
          order: tree.order,
        });
        for (const port of this.ports) port.postMessage(shared);
        this.sentFor = tree.cells;
      }
      Atomics.store(control, TREE_READY, generation);
      Atomics.notify(control, TREE_READY);
    }
    takeRuns(shared, control, walk !== null, this.stack, this.force, repulsion2D, attractionRows);
    for (let left = Atomics.load(control, BUSY); left > 0; left = Atomics.load(control, BUSY)) {
      Atomics.wait(control, BUSY, left);
    }
    attraction.set(shared.attraction);
    if (!walk) return NaN;
    walk.repulsion.set(shared.repulsion);
    let z = 0;
    for (let i = 0; i < n; i++) z += shared.zs[i];
    return z;
  }

  close(): void {
    Atomics.store(this.control, 0, -1);
    Atomics.notify(this.control, 0);
    for (const port of this.ports) port.close();
    for (const w of this.workers) void w.terminate();
  }
}

function defaultThreads(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}
