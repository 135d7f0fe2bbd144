import { createCanvas } from "@napi-rs/canvas";
import { fail } from "../errors";
import { Embedding } from "./embedding";
import { embeddingTitle, groupByLabel } from "./palette";

export interface EmbeddingPngOptions {
  width?: number;
  height?: number;
  /** Point radius in pixels (default 3). */
  radius?: number;
}

/** Where the plot area sits in the PNG, and how a coordinate maps to a pixel (for callers and tests). */
export interface EmbeddingPngFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  toPixel(x: number, y: number): [number, number];
}

const MARGIN = { left: 20, right: 150, top: 36, bottom: 20 };

/** The plot frame for an embedding's first two coordinates at a given image size. */
export function embeddingPngFrame(e: Embedding, width: number, height: number): EmbeddingPngFrame {
  let xlo = Infinity,
    xhi = -Infinity,
    ylo = Infinity,
    yhi = -Infinity;
  for (let i = 0; i < e.n; i++) {
    const x = e.coords[i * e.dims];
    const y = e.coords[i * e.dims + 1];
    xlo = Math.min(xlo, x);
    xhi = Math.max(xhi, x);
    ylo = Math.min(ylo, y);
    yhi = Math.max(yhi, y);
  }
  const left = MARGIN.left,
    top = MARGIN.top;
  const w = width - MARGIN.left - MARGIN.right;
  const h = height - MARGIN.top - MARGIN.bottom;
  const pad = 8;
  const sx = xhi > xlo ? (w - 2 * pad) / (xhi - xlo) : 0;
  const sy = yhi > ylo ? (h - 2 * pad) / (yhi - ylo) : 0;
  return {
    left,
    top,
    width: w,
    height: h,
    // y grows upward in the plot, downward in the image.
    toPixel: (x, y) => [
      left + pad + (sx ? (x - xlo) * sx : (w - 2 * pad) / 2),
      top + h - pad - (sy ? (y - ylo) * sy : (h - 2 * pad) / 2),
    ],
  };
}

/**
 * A static scatter plot of an embedding (first two coordinates for 3-D ones) as PNG bytes: one colour
 * per label with a legend on the right. The fallback wherever interactive plots cannot run.
 */
export function embeddingPng(e: Embedding, options: EmbeddingPngOptions = {}): Buffer {
  if (!(e instanceof Embedding))
    fail("embeddingPng draws an Embedding: the result of await dv.embed(model, images, { layer }) or dv.embed(points).");
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const radius = options.radius ?? 3;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  const frame = embeddingPngFrame(e, width, height);
  ctx.strokeStyle = "#cccccc";
  ctx.lineWidth = 1;
  ctx.strokeRect(frame.left + 0.5, frame.top + 0.5, frame.width - 1, frame.height - 1);

  ctx.fillStyle = "#222222";
  ctx.font = "14px sans-serif";
  ctx.textBaseline = "middle";
  const title = embeddingTitle(e) + (e.dims === 3 ? " — first two axes" : "");
  ctx.fillText(title, frame.left, MARGIN.top / 2);

  const groups = groupByLabel(e);
  for (const g of groups) {
    ctx.fillStyle = g.colour;
    for (const i of g.indices) {
      const [px, py] = frame.toPixel(e.coords[i * e.dims], e.coords[i * e.dims + 1]);
      ctx.beginPath();
      ctx.arc(px, py, radius, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  // Legend: as many entries as fit, then a count of the rest.
  ctx.font = "12px sans-serif";
  const lx = width - MARGIN.right + 14;
  const rowHeight = 18;
  const fit = Math.floor((height - MARGIN.top - 10) / rowHeight);
  groups.slice(0, groups.length > fit ? fit - 1 : fit).forEach((g, r) => {
    const y = MARGIN.top + 8 + r * rowHeight;
    ctx.fillStyle = g.colour;
    ctx.beginPath();
    ctx.arc(lx + 5, y, 5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = "#222222";
    ctx.fillText(`${g.name} (${g.indices.length})`, lx + 16, y, MARGIN.right - 34);
  });
  if (groups.length > fit) {
    ctx.fillStyle = "#222222";
    ctx.fillText(`+${groups.length - fit + 1} more`, lx + 16, MARGIN.top + 8 + (fit - 1) * rowHeight);
  }
  return canvas.toBuffer("image/png");
}
