/**
 * t-SNE's Barnes–Hut repulsion (its hot loop) split over worker threads. The tree and the layout live
 * in SharedArrayBuffers; each thread walks the tree for its own range of points with the very function
 * the single-threaded path uses (repulsion2D, whose source the workers evaluate), and writes each point's
 * force and normaliser term, which the caller then sums in point order: results equal one thread's
 * bit for bit. Workers never hold the process open.
 */
import * as os from "os";
import { MessageChannel, MessagePort, Worker } from "worker_threads";
import { repulsion2D, SpaceTree } from "./space-tree";

/** Fewer points than this: a thread hand-off costs more than it saves. */
const MIN_POINTS = 1000;

/** The worker: waits for a new generation, takes any new arrays, walks its range, counts itself done. */
function workerMain(walk: typeof repulsion2D): void {
  const { receiveMessageOnPort, workerData } = require("worker_threads");
  const { control, index, threads, port } = workerData as { control: Int32Array; index: number; threads: number; port: unknown };
  let arrays: {
    com: Float64Array;
    count: Int32Array;
    firstChild: Int32Array;
    half: Float64Array;
    leafOf: Int32Array;
    y: Float64Array;
    forces: Float64Array;
    zs: Float64Array;
    params: Float64Array;
  } | null = null;
  const stack = new Int32Array(1024);
  const force = new Float64Array(2);
  let seen = 0;
  for (;;) {
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    if (seen < 0) return;
    // synchronous receive: this thread never returns to its event loop while the pool lives
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) arrays = m.message;
    const { com, count, firstChild, half, leafOf, y, forces, zs, params } = arrays!;
    const n = params[0];
    const theta2 = params[1];
    const per = Math.ceil(n / threads);
    const end = Math.min(n, (index + 1) * per);
    for (let i = index * per; i < end; i++) {
      force[0] = 0;
      force[1] = 0;
      zs[i] = walk(com, count, firstChild, half, leafOf, stack, y, i, theta2, force);
      forces[2 * i] = force[0];
      forces[2 * i + 1] = force[1];
    }
    Atomics.sub(control, 1, 1);
    Atomics.notify(control, 1);
  }
}

export class RepulsionPool {
  private readonly control = new Int32Array(new SharedArrayBuffer(8));
  private readonly y: Float64Array;
  private readonly forces: Float64Array;
  private readonly zs: Float64Array;
  private readonly params = new Float64Array(new SharedArrayBuffer(16));
  private readonly stack = new Int32Array(1024);
  private sentFor: Float64Array | null = null;

  private readonly ports: MessagePort[] = [];

  private constructor(
    private readonly workers: Worker[],
    private readonly n: number,
  ) {
    this.y = new Float64Array(new SharedArrayBuffer(16 * n));
    this.forces = new Float64Array(new SharedArrayBuffer(16 * n));
    this.zs = new Float64Array(new SharedArrayBuffer(8 * n));
  }

  /** A pool of `threads` (the caller's thread included), or null when one thread is all it would use. */
  static create(n: number, threads = defaultThreads()): RepulsionPool | null {
    if (threads <= 1 || n < MIN_POINTS || typeof SharedArrayBuffer !== "function") return null;
    const pool = new RepulsionPool([], n);
    const source = `const repulsion2D = ${repulsion2D.toString()};\n(${workerMain.toString()})(repulsion2D);`;
    for (let index = 1; index < threads; index++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(source, {
        eval: true,
        workerData: { control: pool.control, index, threads, port: port2 },
        transferList: [port2],
      });
      worker.unref();
      port1.unref();
      pool.workers.push(worker);
      pool.ports.push(port1);
    }
    return pool;
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Repulsion on every point of a 2-D layout from a tree built (shared) over it: forces into
   * `out` (n×2), and the normaliser Z = Σ_i Σ_j w_ij returned.
   */
  run(tree: SpaceTree, y: Float64Array, theta2: number, out: Float64Array): number {
    const { n, threads } = this;
    this.y.set(y.subarray(0, 2 * n));
    if (this.sentFor !== tree.comSum) {
      // the tree grew into new buffers (or this is the first run): hand the workers the new ones
      const arrays = {
        com: tree.comSum,
        count: tree.count,
        firstChild: tree.firstChild,
        half: tree.half,
        leafOf: tree.leafOf,
        y: this.y,
        forces: this.forces,
        zs: this.zs,
        params: this.params,
      };
      for (const port of this.ports) port.postMessage(arrays);
      this.sentFor = tree.comSum;
    }
    this.params[0] = n;
    this.params[1] = theta2;
    Atomics.store(this.control, 1, this.workers.length);
    Atomics.add(this.control, 0, 1);
    Atomics.notify(this.control, 0);
    const per = Math.ceil(n / threads);
    const force = new Float64Array(2);
    for (let i = 0; i < Math.min(n, per); i++) {
      force[0] = 0;
      force[1] = 0;
      this.zs[i] = repulsion2D(
        tree.comSum,
        tree.count,
        tree.firstChild,
        tree.half,
        tree.leafOf,
        this.stack,
        this.y,
        i,
        theta2,
        force,
      );
      this.forces[2 * i] = force[0];
      this.forces[2 * i + 1] = force[1];
    }
    for (let left = Atomics.load(this.control, 1); left > 0; left = Atomics.load(this.control, 1)) {
      Atomics.wait(this.control, 1, left);
    }
    out.set(this.forces);
    let z = 0;
    for (let i = 0; i < n; i++) z += this.zs[i];
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
