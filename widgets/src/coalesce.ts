/**
 * Run async work so that calls arriving while it runs do not pile up: at most one run at a time, and of
 * the calls that arrive meanwhile only the latest is run next (a slider dragged over ten values costs
 * two recomputations, not ten).
 */
export interface LatestWins<A extends unknown[]> {
  (...args: A): Promise<void>;
  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void>;
  readonly running: boolean;
}

export function latestWins<A extends unknown[]>(
  work: (...args: A) => unknown,
  onError: (err: unknown) => void = (err) => console.error(err),
): LatestWins<A> {
  let running: Promise<void> | null = null;
  let pending: A | null = null;
  let waiters: Array<() => void> = [];

  async function loop(first: A): Promise<void> {
    let args: A | null = first;
    while (args) {
      try {
        await work(...args);
      } catch (err) {
        onError(err);
      }
      args = pending;
      pending = null;
    }
    running = null;
    const done = waiters;
    waiters = [];
    done.forEach((w) => w());
  }

  const call = ((...args: A) => {
    if (running) {
      pending = args;
      return new Promise<void>((resolve) => waiters.push(resolve));
    }
    running = loop(args);
    return running;
  }) as LatestWins<A>;
  call.idle = () => (running ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve());
  Object.defineProperty(call, "running", { get: () => running !== null });
  return call;
}
