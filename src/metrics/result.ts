/** What every metric returns: one score per example (one for a single input) and their mean. */
export interface MetricResult {
  /** The metric's name, e.g. "deletion". */
  metric: string;
  /** One score per example. */
  scores: number[];
  /** The mean of `scores`. */
  mean: number;
}

export function metricResult<T extends object>(metric: string, scores: number[], extra: T): MetricResult & T {
  const mean = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : NaN;
  return { metric, scores, mean, ...extra };
}
