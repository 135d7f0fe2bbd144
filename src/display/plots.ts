import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { Plot } from "./plot";

export { resetPlotlyLoader, plotlyLoaded } from "./plotly-html";
export { Plot };

type Numbers = tf.Tensor | ArrayLike<number>;

function numbersOf(x: Numbers | Attribution, what: string): Float64Array {
  if (x instanceof Attribution) x = x.values;
  if (x instanceof tf.Tensor) {
    if (x.isDisposed) fail(`The ${what} tensor was disposed; plot it before disposing it.`);
    return Float64Array.from(x.dataSync() as ArrayLike<number>);
  }
  if (x == null || typeof (x as ArrayLike<number>).length !== "number")
    fail(`The ${what} must be a tensor or an array of numbers.`);
  return Float64Array.from(x as ArrayLike<number>);
}

const BASE_LAYOUT = { margin: { l: 60, r: 20, t: 50, b: 50 }, font: { family: "DejaVu Sans, sans-serif", size: 13 } };

export interface TopKOptions {
  k?: number;
  /** Class names by index (default "class i"). */
  labels?: string[];
  /** Apply softmax first: "auto" (default) does when the scores are not already probabilities. */
  softmax?: boolean | "auto";
  title?: string;
}

export interface Ranked {
  index: number;
  label: string;
  score: number;
}

/** The k best classes as rows (highest first). */
export function rankTopK(scores: Numbers, o: TopKOptions = {}): Ranked[] {
  let v = numbersOf(scores, "scores");
  if (scores instanceof tf.Tensor && scores.rank === 2 && scores.shape[0] !== 1) {
    fail(`topK takes one example's scores; got a batch of ${scores.shape[0]}. Slice one row first.`);
  }
  if (v.length === 0) fail("topK got no scores.");
  const k = o.k ?? 5;
  if (!(Number.isInteger(k) && k > 0)) fail(`k must be a positive integer, got ${k}.`);
  let sum = 0,
    min = Infinity;
  for (const x of v) {
    sum += x;
    min = Math.min(min, x);
  }
  const isProb = min >= 0 && Math.abs(sum - 1) < 1e-3;
  if (o.softmax === true || (o.softmax !== false && !isProb)) {
    let max = -Infinity;
    for (const x of v) max = Math.max(max, x);
    const e = v.map((x) => Math.exp(x - max));
    const z = e.reduce((a, b) => a + b, 0);
    v = e.map((x) => x / z);
  }
  if (o.labels && o.labels.length !== v.length) fail(`There are ${o.labels.length} labels for ${v.length} scores.`);
  return Array.from(v, (score, index) => ({ index, score, label: o.labels?.[index] ?? `class ${index}` }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

/** A horizontal bar chart of the k most likely classes, the best on top. */
export function topK(scores: Numbers, o: TopKOptions = {}): Plot {
  const rows = rankTopK(scores, o);
  const title = o.title ?? `Top ${rows.length} predictions`;
  const summary = [title, ...rows.map((r) => `${r.label.padEnd(20)} ${r.score.toFixed(4)}`)].join("\n");
  return new Plot(
    [
      {
        type: "bar",
        orientation: "h",
        x: rows.map((r) => r.score).reverse(),
        y: rows.map((r) => r.label).reverse(),
        text: rows.map((r) => r.score.toFixed(3)).reverse(),
        textposition: "auto",
        marker: { color: "#4292c6" },
      },
    ],
    {
      ...BASE_LAYOUT,
      title: { text: title },
      height: 120 + 34 * rows.length,
      xaxis: { title: { text: "probability" }, range: [0, 1] },
      margin: { ...BASE_LAYOUT.margin, l: 140 },
    },
    summary,
  );
}

export interface HistogramOptions {
  bins?: number;
  title?: string;
  xLabel?: string;
  /** Leave out exact zeros (ReLU'd maps are mostly zero). Default false. */
  dropZeros?: boolean;
}

/** Bin counts over [min, max]: what the histogram draws (computed here, so the page gets bins, not every value). */
export function binCounts(values: Float64Array | Float32Array | number[], bins: number): { edges: number[]; counts: number[] } {
  let lo = Infinity,
    hi = -Infinity;
  for (const x of values) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (values.length === 0) return { edges: [0, 1], counts: [0] };
  if (hi === lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const counts = new Array(bins).fill(0);
  for (const x of values) counts[Math.min(bins - 1, Math.floor((x - lo) / width))]++;
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width), counts };
}

/** A histogram of attribution values (or any numbers). */
export function histogram(values: Numbers | Attribution, o: HistogramOptions = {}): Plot {
  let v = numbersOf(values, "values");
  if (o.dropZeros) v = v.filter((x) => x !== 0);
  const bins = o.bins ?? 50;
  if (!(Number.isInteger(bins) && bins > 0)) fail(`bins must be a positive integer, got ${bins}.`);
  const { edges, counts } = binCounts(v, bins);
  const title = o.title ?? (values instanceof Attribution ? `${values.method} values` : "Histogram");
  let sum = 0;
  for (const x of v) sum += x;
  const summary =
    `${title}: ${v.length} values, min ${edges[0].toPrecision(4)}, max ${edges[bins].toPrecision(4)}, ` +
    `mean ${(v.length ? sum / v.length : 0).toPrecision(4)}`;
  return new Plot(
    [
      {
        type: "bar",
        x: counts.map((_, i) => (edges[i] + edges[i + 1]) / 2),
        y: counts,
        width: edges[1] - edges[0],
        marker: { color: "#6baed6", line: { color: "#2171b5", width: 0.5 } },
      },
    ],
    {
      ...BASE_LAYOUT,
      title: { text: title },
      height: 360,
      bargap: 0,
      xaxis: { title: { text: o.xLabel ?? "value" } },
      yaxis: { title: { text: "count" } },
    },
    summary,
  );
}

export type Series =
  Record<string, ArrayLike<number>> | Array<{ name: string; y: ArrayLike<number>; x?: ArrayLike<number | string> }>;

export interface LinesOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
}

/**
 * Line charts, one line per series: training curves from `history.history` ({ loss: [...], acc: [...] })
 * or a list of { name, y, x? }. A tf History object works as is.
 */
export function lines(series: Series | { history: Record<string, ArrayLike<number>> }, o: LinesOptions = {}): Plot {
  const s = !Array.isArray(series) && "history" in series && typeof series.history === "object" ? series.history : series;
  const list = Array.isArray(s)
    ? s
    : Object.entries(s as Record<string, ArrayLike<number>>).map(([name, y]) => ({ name, y, x: undefined }));
  if (list.length === 0) fail("lines needs at least one series, e.g. { loss: [0.9, 0.5, 0.3] }.");
  const traces = list.map(({ name, y, x }) => {
    const ys = Array.from(numbersOf(y as ArrayLike<number>, `series "${name}"`));
    const xs = x ? Array.from(x) : ys.map((_, i) => i + 1);
    if (xs.length !== ys.length) fail(`Series "${name}" has ${xs.length} x values for ${ys.length} y values.`);
    return { type: "scatter", mode: ys.length > 60 ? "lines" : "lines+markers", name, x: xs, y: ys };
  });
  const title = o.title ?? "";
  const summary = [
    title || "Line chart",
    ...traces.map((t) => `${t.name}: ${t.y.length} points, last ${t.y.length ? t.y[t.y.length - 1].toPrecision(4) : "-"}`),
  ].join("\n");
  return new Plot(
    traces,
    {
      ...BASE_LAYOUT,
      title: { text: title },
      height: 380,
      xaxis: { title: { text: o.xLabel ?? "epoch" } },
      yaxis: { title: { text: o.yLabel ?? "" } },
    },
    summary,
  );
}

export interface BarsOptions {
  /** Names of the features (default "feature i"). */
  labels?: string[];
  title?: string;
  yLabel?: string;
}

/** One bar per feature, green above zero and red below: attributions of a non-image model. */
export function bars(values: Numbers | Attribution, o: BarsOptions = {}): Plot {
  const v = Array.from(numbersOf(values, "values"));
  if (o.labels && o.labels.length !== v.length) fail(`There are ${o.labels.length} labels for ${v.length} values.`);
  const labels = o.labels ?? v.map((_, i) => `feature ${i}`);
  const title = o.title ?? (values instanceof Attribution ? `${values.method} per feature` : "");
  const summary = [title || "Bar chart", ...v.map((x, i) => `${labels[i].padEnd(20)} ${x.toPrecision(4)}`)].join("\n");
  return new Plot(
    [{ type: "bar", x: labels, y: v, marker: { color: v.map((x) => (x >= 0 ? "#238b45" : "#cb181d")) } }],
    { ...BASE_LAYOUT, title: { text: title }, height: 360, yaxis: { title: { text: o.yLabel ?? "attribution" } } },
    summary,
  );
}
