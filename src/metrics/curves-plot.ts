import { createCanvas } from "@napi-rs/canvas";
import { Plot } from "../display/plot";
import { lines } from "../display/plots";
import { fail } from "../errors";
import { CurveResult } from "./deletion";

export interface CurvesPlotOptions {
  /** Which example's curve to draw, or "mean" (default) for the mean curve over examples. */
  example?: number | "mean";
  title?: string;
  /** Size of the PNG fallback (default 640 × 400). */
  width?: number;
  height?: number;
}

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

interface Line {
  name: string;
  x: number[];
  y: number[];
}

function curveLines(results: Record<string, CurveResult>, example: number | "mean"): Line[] {
  const entries = Object.entries(results);
  if (entries.length === 0) fail("curvesPlot needs at least one result, e.g. { saliency: await dv.metrics.deletion(...) }.");
  return entries.map(([name, r]) => {
    if (!r || !Array.isArray(r.curve) || !Array.isArray(r.fractions))
      fail(`"${name}" is not a deletion or insertion result (it has no curve).`);
    let y: number[], auc: number;
    if (example === "mean") {
      y = r.fractions.map((_, k) => r.curve.reduce((a, c) => a + c[k], 0) / r.curve.length);
      auc = r.mean;
    } else {
      if (!(Number.isInteger(example) && example >= 0 && example < r.curve.length))
        fail(`example ${example} is out of range: "${name}" has ${r.curve.length} curve(s).`);
      y = r.curve[example];
      auc = r.auc[example];
    }
    return { name: `${name} (AUC ${auc.toFixed(3)})`, x: r.fractions, y };
  });
}

/**
 * Deletion or insertion curves of several methods on one chart (plotly, with a PNG fallback for
 * viewers without it): `curvesPlot({ saliency: del1, gradCam: del2 })`. The legend gives each AUC.
 */
export function curvesPlot(results: Record<string, CurveResult>, options: CurvesPlotOptions = {}): Plot {
  const example = options.example ?? "mean";
  const data = curveLines(results, example);
  const metric = Object.values(results)[0].metric;
  const title =
    options.title ??
    `${metric} curves${example === "mean" ? ` (mean of ${Object.values(results)[0].curve.length} examples)` : ` (example ${example})`}`;
  const plot = lines(data, {
    title,
    xLabel: `share of pixels ${metric === "insertion" ? "inserted" : "deleted"}`,
    yLabel: "output for the target",
  });
  return new Plot(plot.data, plot.layout, plot.summary, () => curvesPng(results, { ...options, title }));
}

/** The same chart as PNG bytes (lines, axes from 0 to 1 in x, a legend). */
export function curvesPng(results: Record<string, CurveResult>, options: CurvesPlotOptions = {}): Uint8Array {
  const data = curveLines(results, options.example ?? "mean");
  const width = options.width ?? 640,
    height = options.height ?? 400;
  const m = { left: 56, right: 200, top: 36, bottom: 44 };
  const w = width - m.left - m.right,
    h = height - m.top - m.bottom;
  let lo = Infinity,
    hi = -Infinity;
  for (const d of data)
    for (const v of d.y) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  lo = Math.min(lo, 0);
  if (!(hi > lo)) hi = lo + 1;
  const px = (x: number) => m.left + x * w;
  const py = (y: number) => m.top + h - ((y - lo) / (hi - lo)) * h;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = "#999999";
  ctx.lineWidth = 1;
  ctx.strokeRect(m.left + 0.5, m.top + 0.5, w, h);
  ctx.fillStyle = "#222222";
  ctx.font = "12px sans-serif";
  ctx.textBaseline = "middle";
  for (let t = 0; t <= 4; t++) {
    const x = t / 4,
      y = lo + ((hi - lo) * t) / 4;
    ctx.fillText(x.toFixed(2), px(x) - 12, m.top + h + 14);
    ctx.fillText(y.toPrecision(2), 8, py(y));
  }
  ctx.font = "14px sans-serif";
  ctx.fillText(options.title ?? "", m.left, m.top / 2);
  data.forEach((d, i) => {
    ctx.strokeStyle = COLOURS[i % COLOURS.length];
    ctx.lineWidth = 2;
    ctx.beginPath();
    d.x.forEach((x, k) => (k === 0 ? ctx.moveTo(px(x), py(d.y[k])) : ctx.lineTo(px(x), py(d.y[k]))));
    ctx.stroke();
    const ly = m.top + 10 + i * 20;
    ctx.fillStyle = COLOURS[i % COLOURS.length];
    ctx.fillRect(width - m.right + 12, ly - 1, 18, 3);
    ctx.fillStyle = "#222222";
    ctx.font = "12px sans-serif";
    ctx.fillText(d.name, width - m.right + 36, ly, m.right - 40);
  });
  return canvas.toBuffer("image/png");
}
