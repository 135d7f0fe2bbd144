import { escapeHtml } from "../../kernel-ext/src/comm-api";
import { JUPYTER_DISPLAY, MimeBundle } from "../core/display-registry";
import { fail } from "../errors";
import { MetricResult } from "./result";

export interface MetricsTableOptions {
  /** Digits after the point (default 3). */
  digits?: number;
  title?: string;
}

/**
 * Methods × images or methods × metrics, as a table that shows itself (HTML in a notebook, text
 * elsewhere). `cells[i][j]` is row i's value in column j.
 */
export class MetricsTable {
  constructor(
    readonly rows: string[],
    readonly columns: string[],
    readonly cells: number[][],
    readonly options: MetricsTableOptions = {},
  ) {}

  private fmt(v: number): string {
    return Number.isFinite(v) ? v.toFixed(this.options.digits ?? 3) : "–";
  }

  text(): string {
    const head = ["method", ...this.columns];
    const body = this.rows.map((r, i) => [r, ...this.cells[i].map((v) => this.fmt(v))]);
    const widths = head.map((h, j) => Math.max(h.length, ...body.map((row) => row[j].length)));
    const line = (row: string[]) => row.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join("  ");
    return [...(this.options.title ? [this.options.title] : []), line(head), ...body.map(line)].join("\n");
  }

  html(): string {
    const th = ["method", ...this.columns].map((c) => `<th>${escapeHtml(c)}</th>`).join("");
    const trs = this.rows
      .map(
        (r, i) =>
          `<tr><th style="text-align:left">${escapeHtml(r)}</th>${this.cells[i].map((v) => `<td style="text-align:right">${this.fmt(v)}</td>`).join("")}</tr>`,
      )
      .join("");
    const caption = this.options.title ? `<caption>${escapeHtml(this.options.title)}</caption>` : "";
    return `<table class="deepviz-metrics">${caption}<thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
  }

  toString(): string {
    return this.text();
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return { "text/html": this.html(), "text/plain": this.text() };
  }
}

function isResult(v: unknown): v is MetricResult {
  return typeof v === "object" && v !== null && Array.isArray((v as MetricResult).scores);
}

/**
 * A table of metric results. `{ method: result }` (one metric) gives a row per method and a column
 * per image plus the mean; `{ method: { metric: result } }` gives a column per metric (its mean over
 * images). The method names are the row labels.
 */
export function metricsTable(
  results: Record<string, MetricResult | Record<string, MetricResult>>,
  options: MetricsTableOptions = {},
): MetricsTable {
  const entries = Object.entries(results ?? {});
  if (entries.length === 0) fail("metricsTable needs results, e.g. { saliency: await dv.metrics.deletion(...) }.");
  if (entries.every(([, r]) => isResult(r))) {
    const n = Math.max(...entries.map(([, r]) => (r as MetricResult).scores.length));
    const columns = [...Array.from({ length: n }, (_, i) => `image ${i}`), "mean"];
    const cells = entries.map(([, r]) => {
      const s = (r as MetricResult).scores;
      return [...Array.from({ length: n }, (_, i) => s[i] ?? NaN), (r as MetricResult).mean];
    });
    const metric = (entries[0][1] as MetricResult).metric;
    return new MetricsTable(
      entries.map(([m]) => m),
      columns,
      cells,
      { title: options.title ?? metric, ...options },
    );
  }
  const columns: string[] = [];
  for (const [method, r] of entries) {
    if (isResult(r) || typeof r !== "object" || r === null)
      fail(`"${method}" must map metric names to results, like the other rows.`);
    for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  }
  const cells = entries.map(([, r]) =>
    columns.map((c) => {
      const v = (r as Record<string, MetricResult>)[c];
      if (v !== undefined && !isResult(v)) fail(`"${c}" is not a metric result.`);
      return v ? v.mean : NaN;
    }),
  );
  return new MetricsTable(
    entries.map(([m]) => m),
    columns,
    cells,
    options,
  );
}
