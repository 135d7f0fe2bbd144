/**
 * Run async work so that calls arriving while it runs do not pile up: at most one run at a time, and of
 * the calls that arrive meanwhile only the latest is run next (a slider dragged over ten values costs
 * two recomputations, not ten). The run in progress can stop early: `signal` is aborted as soon as a
 * newer call arrives, and the AbortError that work meets through it is not an error.
 */
export interface LatestWins<A extends unknown[]> {
  (...args: A): Promise<void>;
  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void>;
  readonly running: boolean;
  /** The running call's signal (for long work's `signal` option): aborted once a newer call waits. */
  readonly signal: AbortSignal | undefined;
}

export interface LatestWinsOptions {
  /**
   * Wait one event-loop turn before each run and run only the latest call of those that arrived by then:
   * slider moves the kernel has already received are drawn once, even when each redraw is quick.
   */
  settle?: boolean;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function latestWins<A extends unknown[]>(
  work: (...args: A) => unknown,
  onError: (err: unknown) => void = (err) => console.error(err),
  options: LatestWinsOptions = {},
): LatestWins<A> {
  let running: Promise<void> | null = null;
  let pending: A | null = null;
  let waiters: Array<() => void> = [];
  let current: AbortController | null = null;

  async function loop(): Promise<void> {
    while (pending) {
      if (options.settle) await nextTurn();
      const args: A = pending;
      pending = null;
      const controller = (current = new AbortController());
      try {
        await work(...args);
      } catch (err) {
        if (!(controller.signal.aborted && (err as Error)?.name === "AbortError")) onError(err);
      }
    }
    current = null;
    running = null;
    const done = waiters;
    waiters = [];
    done.forEach((w) => w());
  }

  const call = ((...args: A) => {
    pending = args;
    current?.abort();
    if (running) return new Promise<void>((resolve) => waiters.push(resolve));
    running = loop();
    return running;
  }) as LatestWins<A>;
  call.idle = () => (running ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve());
  Object.defineProperty(call, "running", { get: () => running !== null });
  Object.defineProperty(call, "signal", { get: () => current?.signal });
  return call;
}
