import * as os from "os";
import * as tf from "@tensorflow/tfjs";

export interface Measurement {
  /** Best wall time of the repetitions, in ms. */
  ms: number;
  /** Median wall time of the repetitions, in ms (what a warm call typically takes). */
  medianMs: number;
  /**
   * Best CPU time of the process (all its threads) over the repetitions, in ms. Other processes on
   * a shared machine stretch wall time but not this, so ratios are taken on it.
   */
  cpuMs: number;
  /** Peak bytes of tensors alive during the run beyond those alive before it (tf.profile), in MB. */
  peakMB: number;
}

/**
 * Runs `fn` once to warm up (compiles nothing on wasm, but creates XNNPACK operators and our
 * flipped-filter copies, as a user's second call would find them), then `reps` times; keeps the
 * best time, since other processes share the cores.
 */
export async function measure(fn: () => Promise<void>, reps: number, warmup = true): Promise<Measurement> {
  if (warmup) await fn();
  let best = Infinity;
  let bestCpu = Infinity;
  let peak = 0;
  const walls: number[] = [];
  for (let i = 0; i < reps; i++) {
    const before = tf.memory().numBytes;
    const start = performance.now();
    const cpu = process.cpuUsage();
    const info = await tf.profile(fn);
    const used = process.cpuUsage(cpu);
    walls.push(performance.now() - start);
    best = Math.min(best, walls[i]!);
    bestCpu = Math.min(bestCpu, (used.user + used.system) / 1000);
    peak = Math.max(peak, info.peakBytes - before);
  }
  return { ms: best, medianMs: median(walls), cpuMs: bestCpu, peakMB: peak / 2 ** 20 };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The 1-minute load average, for printing beside timings taken on a shared machine. */
export function load(): string {
  return `load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`;
}

export const fmtMs = (ms: number | undefined) =>
  ms === undefined || Number.isNaN(ms)
    ? "—"
    : ms >= 10000
      ? `${(ms / 1000).toFixed(1)} s`
      : ms >= 1000
        ? `${(ms / 1000).toFixed(2)} s`
        : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;

export const fmtX = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? "—" : `${x < 10 ? x.toFixed(2) : x.toFixed(1)}×`;

/** Prints rows as an aligned text table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
