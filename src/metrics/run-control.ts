import { fail } from "../errors";

/** Progress of a long metric: work units (forward passes of a chunk, or explanations) done of the total. */
export interface MetricProgress {
  metric: string;
  done: number;
  total: number;
}

export interface RunControl {
  /** Called after every chunk. */
  onProgress?: (p: MetricProgress) => void;
  /** Aborting stops the metric at the next chunk with a DeepVizError; no tensor is left behind. */
  signal?: AbortSignal;
}

/**
 * Between two chunks: report progress, let the event loop run (so displays update and interrupts
 * arrive), and stop if the caller aborted.
 */
export async function betweenChunks(control: RunControl, metric: string, done: number, total: number): Promise<void> {
  control.onProgress?.({ metric, done, total });
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (control.signal?.aborted) fail(`${metric} was stopped: its AbortSignal was aborted (after ${done} of ${total}).`);
}

export function checkNotAborted(control: RunControl, metric: string): void {
  if (control.signal?.aborted) fail(`${metric} was stopped before it began: its AbortSignal was already aborted.`);
}
