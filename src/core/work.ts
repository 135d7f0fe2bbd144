/**
 * Long work, one mechanism for all of it (attribution methods, activation maximisation, sanity checks,
 * embeddings): it runs in chunks, each chunk in its own tf.tidy, and yields to the event loop between
 * chunks, so that a notebook can show progress, widgets stay responsive, and an AbortSignal (or a kernel
 * interrupt) stops it at the next chunk. A Work owns the tensors it keeps between chunks and frees them
 * when it ends, however it ends.
 */
import * as tf from "@tensorflow/tfjs";

/** What long work reports after each chunk (and what a progress display shows). */
export interface Progress {
  /** What runs, e.g. "integratedGradients". */
  task: string;
  /** Units done and planned (the unit names them: "steps", "samples", "windows", ...). */
  done: number;
  total: number;
  unit: string;
  elapsedMs: number;
  /** Estimated time left, once something is done. */
  etaMs?: number;
}

/** The options every long function takes. */
export interface RunOptions {
  /** Called after each chunk, in order, with the units done so far. */
  onProgress?: (p: Progress) => void;
  /**
   * Aborting stops the work at the next chunk, frees its tensors and rejects with an AbortError. In a
   * DeepViz kernel the running cell's signal is used as well, so a kernel interrupt stops the work too.
   */
  signal?: AbortSignal;
  /** false: no progress display. Default: work that runs over about a second shows one (notebook or terminal). */
  progress?: boolean;
}

/** The rejection of work stopped by its signal. */
export class AbortError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AbortError";
  }
}

/** Where progress is drawn (a notebook display, a terminal line). `end` is called once, if at all. */
export interface ProgressView {
  update(p: Progress): void;
  end(p: Progress, outcome: "done" | "aborted" | "failed"): void;
}

type ViewFactory = (task: string) => ProgressView | null;
let viewFactory: ViewFactory = () => null;

/**
 * The display layer says how to draw progress (src/display/progress-view.ts); core code never imports
 * it. Returns the factory it replaces.
 */
export function setProgressViews(factory: ViewFactory): ViewFactory {
  const previous = viewFactory;
  viewFactory = factory;
  return previous;
}

/** The DeepViz kernel publishes the running cell's abort signal here (kernel-ext/src/comm-api.ts). */
const CELL_SIGNAL = Symbol.for("deepviz.kernel.cellSignal");

function cellSignal(): AbortSignal | undefined {
  const source = (globalThis as Record<symbol, unknown>)[CELL_SIGNAL] as { current?: () => AbortSignal | undefined } | undefined;
  return typeof source?.current === "function" ? source.current() : undefined;
}

/** Work shorter than this shows no progress display. */
const SHOW_AFTER_MS = 1000;
/** A display is redrawn at most this often. */
const REDRAW_MS = 250;
/** The event loop gets a turn at least this often while work runs. */
const YIELD_MS = 20;
/** Chunks grow while they take less than this, and halve when they take 4× as long. */
const CHUNK_MS = 150;

export class Work {
  readonly signal: AbortSignal | undefined;
  private releaseSignal = () => {};
  private done = 0;
  private total = 1;
  private unit = "passes";
  private reported = 0;
  private readonly started = Date.now();
  private lastYield = Date.now();
  private lastDraw = 0;
  private view: ProgressView | null | undefined;
  private ended = false;
  private readonly owned = new Set<tf.Tensor>();
  /** Rows per chunk that took about CHUNK_MS last time (see chunks()). */
  private rows = 0;

  constructor(
    readonly task: string,
    private readonly options: RunOptions = {},
  ) {
    const signals = [options.signal, cellSignal()].filter((s): s is AbortSignal => s !== undefined);
    if (signals.length > 1) {
      const either = eitherSignal(signals);
      this.signal = either.signal;
      this.releaseSignal = either.release;
    } else this.signal = signals[0];
  }

  /** Says how many units the work has (for progress and ETA); call it once the count is known. */
  plan(total: number, unit = this.unit): this {
    this.total = Math.max(1, total);
    this.unit = unit;
    return this;
  }

  get aborted(): boolean {
    return this.signal?.aborted === true;
  }

  throwIfAborted(): void {
    if (!this.aborted) return;
    throw new AbortError(`${this.task} was aborted after ${this.done} of ${this.total} ${this.unit}; its tensors were freed.`);
  }

  /**
   * Runs `fn` in a tf.tidy and keeps what it returns until the work ends (or `free`), also past any
   * tidy that encloses this call.
   */
  tidy<T extends tf.TensorContainer>(fn: () => T): T {
    const out = tf.tidy(fn);
    for (const t of tensorsIn(out)) this.owned.add(tf.keep(t));
    return out;
  }

  /** Frees kept tensors now. */
  free(...tensors: tf.Tensor[]): void {
    for (const t of tensors) {
      this.owned.delete(t);
      t.dispose();
    }
  }

  /**
   * Counts `n` units done, reports them, and gives the event loop a turn now and then; throws an
   * AbortError once the signal is aborted (the caller's `finally` or the frame frees what it kept).
   */
  async step(n = 1, report = true): Promise<void> {
    this.done = Math.min(this.total, this.done + n);
    if (report) this.report();
    this.draw();
    // an abort that arrived during the last turn of the event loop frees the tensors before the next turn
    this.throwIfAborted();
    if (Date.now() - this.lastYield >= YIELD_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.lastYield = Date.now();
    }
    this.throwIfAborted();
  }

  /**
   * [start, end) ranges that split `total` rows into chunks of at most `maxRows`, sized to take a few
   * hundred ms at most (so a 3,000-step IG reports and yields often without a per-row overhead); each range
   * counts as its rows done once the caller's loop body has run. Sizes are powers of two (or maxRows,
   * or what is left), so repeated runs meet the same tensor shapes and the backends' caches serve them.
   */
  async *chunks(total: number, maxRows: number): AsyncGenerator<[number, number]> {
    for (let start = 0; start < total;) {
      this.throwIfAborted();
      const size = Math.min(maxRows, this.rows || 4);
      const end = Math.min(total, start + size);
      const t0 = Date.now();
      yield [start, end];
      const ms = Math.max(1, Date.now() - t0);
      // A chunk costs a fixed overhead plus its rows (on a busy machine the overhead can dominate), so
      // sizes grow while chunks are short and shrink only when one is clearly too long.
      if (ms < CHUNK_MS) this.rows = powerOfTwoBelow(Math.max(2 * size, Math.min(4 * size, (size * CHUNK_MS) / ms)));
      else if (ms > 4 * CHUNK_MS) this.rows = Math.max(1, powerOfTwoBelow(size / 2));
      else this.rows = size;
      await this.step(end - start);
      start = end;
    }
  }

  private report(): void {
    this.reported = this.done;
    this.options.onProgress?.(this.progress());
  }

  progress(): Progress {
    const elapsedMs = Date.now() - this.started;
    const etaMs = this.done > 0 ? (elapsedMs * (this.total - this.done)) / this.done : undefined;
    return { task: this.task, done: this.done, total: this.total, unit: this.unit, elapsedMs, etaMs };
  }

  /** Ends the work: frees every kept tensor and closes the display ("done" when no error is given). */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.releaseSignal();
    tf.dispose([...this.owned]);
    this.owned.clear();
    if (error === undefined) {
      // work without steps of its own (one pass) reports once, at the end
      this.done = this.total;
      if (this.reported < this.total) this.report();
    }
    this.view?.end(this.progress(), error === undefined ? "done" : error instanceof AbortError ? "aborted" : "failed");
  }

  private draw(): void {
    if (this.options.progress === false) return;
    const now = Date.now();
    if (now - this.started < SHOW_AFTER_MS || now - this.lastDraw < REDRAW_MS) return;
    if (this.view === undefined) this.view = viewFactory(this.task);
    this.lastDraw = now;
    this.view?.update(this.progress());
  }
}

/** Runs `body` with a Work that is ended (tensors freed, display closed) however the body ends. */
export async function withWork<T>(task: string, options: RunOptions | undefined, body: (work: Work) => Promise<T>): Promise<T> {
  const work = new Work(task, options);
  try {
    const out = await body(work);
    work.end();
    return out;
  } catch (e) {
    work.end(e ?? new Error("failed"));
    throw e;
  }
}

/** The largest power of two ≤ n (1 for n < 2). */
function powerOfTwoBelow(n: number): number {
  return n < 2 ? 1 : 2 ** Math.floor(Math.log2(n));
}

/** A signal aborted when any of `signals` is (AbortSignal.any, which Node 18 lacks). */
/** A signal aborted when any of `signals` is; `release` removes its listeners (a cell's signal outlives many works). */
function eitherSignal(signals: AbortSignal[]): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const removers: Array<() => void> = [];
  for (const s of signals) {
    if (s.aborted) {
      controller.abort(s.reason);
      continue;
    }
    const onAbort = () => controller.abort(s.reason);
    s.addEventListener("abort", onAbort, { once: true });
    removers.push(() => s.removeEventListener("abort", onAbort));
  }
  return { signal: controller.signal, release: () => removers.splice(0).forEach((remove) => remove()) };
}

function tensorsIn(x: tf.TensorContainer): tf.Tensor[] {
  if (x instanceof tf.Tensor) return [x];
  if (Array.isArray(x)) return x.flatMap((v) => tensorsIn(v as tf.TensorContainer));
  if (x && typeof x === "object") return Object.values(x).flatMap((v) => tensorsIn(v as tf.TensorContainer));
  return [];
}
