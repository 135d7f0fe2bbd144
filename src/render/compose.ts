import { createCanvas, ImageData, SKRSContext2D } from "@napi-rs/canvas";
import { fail } from "../errors";
import { Colormap } from "./colormaps";
import { Picture } from "./picture";
import { RGBA } from "./types";

/**
 * Lays pictures out in a grid on a white sheet, each with an optional title above it and an optional
 * colour bar to its right. Tiles keep their aspect ratio: each is scaled to fit a `cell`×`cell` box;
 * small maps are enlarged with nearest-neighbour so their pixels stay crisp.
 */

export interface ColorbarSpec {
  cmap: Colormap;
  /** The raw values at the bottom and top of the bar. */
  lo: number;
  hi: number;
}

export interface Panel {
  image: RGBA;
  title?: string;
  colorbar?: ColorbarSpec;
}

export interface GridOptions {
  /** Tiles a row (default: all in one row up to 8, then 8). */
  columns?: number;
  /** The longest side of each tile in pixels (default 160). */
  cell?: number;
  /** Pixels between cells (default 8). */
  gap?: number;
  /** A title over the whole grid. */
  title?: string;
  /** Title font size in pixels (default 13). */
  fontSize?: number;
}

/** Where everything goes: the sheet's size and each tile's image rectangle. */
export interface GridLayout {
  width: number;
  height: number;
  columns: number;
  rows: number;
  titleBand: number;
  headerBand: number;
  colorbarBand: number;
  tiles: Array<{ x: number; y: number; w: number; h: number }>;
  /** Top-left corner of each cell (its title band starts there). */
  cells: Array<{ x: number; y: number }>;
}

const FONT_FAMILY = "DejaVu Sans, Liberation Sans, sans-serif";
const BAR_WIDTH = 12;

export function gridLayout(panels: Panel[], o: GridOptions = {}): GridLayout {
  if (panels.length === 0) fail("Nothing to lay out: pass at least one picture.");
  const cell = o.cell ?? 160;
  const gap = o.gap ?? 8;
  const font = o.fontSize ?? 13;
  if (!(cell >= 4)) fail(`cell must be at least 4 pixels, got ${cell}.`);
  const columns = Math.max(1, Math.min(panels.length, o.columns ?? Math.min(panels.length, 8)));
  const rows = Math.ceil(panels.length / columns);
  const titleBand = panels.some((p) => p.title) ? Math.round(font * 1.6) : 0;
  const headerBand = o.title ? Math.round(font * 2.2) : 0;
  const colorbarBand = panels.some((p) => p.colorbar) ? BAR_WIDTH + 6 + Math.round(font * 3.6) : 0;
  // a column is only as wide as it needs: the colour-bar band only where a panel has a bar
  const colLefts: number[] = [];
  let left = gap;
  for (let c = 0; c < columns; c++) {
    colLefts.push(left);
    const hasBar = panels.some((p, i) => i % columns === c && p.colorbar);
    left += cell + (hasBar ? colorbarBand : 0) + gap;
  }
  const sizes = panels.map((p) => {
    const scale = cell / Math.max(p.image.width, p.image.height);
    return { w: Math.max(1, Math.round(p.image.width * scale)), h: Math.max(1, Math.round(p.image.height * scale)) };
  });
  // each row is as tall as its tallest tile, so wide pictures leave no empty band
  const rowHeights = Array.from({ length: rows }, (_, r) =>
    Math.max(...sizes.slice(r * columns, (r + 1) * columns).map((s) => s.h)),
  );
  const rowTops: number[] = [];
  let top = headerBand + gap;
  for (const h of rowHeights) {
    rowTops.push(top);
    top += titleBand + h + gap;
  }
  const tiles = sizes.map(({ w, h }, i) => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    const x = colLefts[col] + Math.floor((cell - w) / 2);
    const y = rowTops[row] + titleBand + Math.floor((rowHeights[row] - h) / 2);
    return { x, y, w, h, cellLeft: colLefts[col], cellTop: rowTops[row] };
  });
  return {
    width: left,
    height: top,
    columns,
    rows,
    titleBand,
    headerBand,
    colorbarBand,
    tiles: tiles.map(({ x, y, w, h }) => ({ x, y, w, h })),
    cells: tiles.map(({ cellLeft, cellTop }) => ({ x: cellLeft, y: cellTop })),
  };
}

function fitText(ctx: SKRSContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let s = text;
  while (s.length > 1 && ctx.measureText(s + "…").width > maxWidth) s = s.slice(0, -1);
  return s + "…";
}

/** Short tick labels: 3 significant digits, exponent form for very small or large numbers. */
export function tickLabel(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-2) return v.toExponential(1).replace("e+", "e");
  return String(Number(v.toPrecision(3)));
}

function drawColorbar(ctx: SKRSContext2D, spec: ColorbarSpec, x: number, y: number, h: number, font: number): void {
  const bar = new Uint8ClampedArray(BAR_WIDTH * h * 4);
  for (let r = 0; r < h; r++) {
    const t = h > 1 ? 1 - r / (h - 1) : 1; // top = hi
    for (let c = 0; c < BAR_WIDTH; c++) {
      spec.cmap.write(t, bar, (r * BAR_WIDTH + c) * 4);
      bar[(r * BAR_WIDTH + c) * 4 + 3] = 255;
    }
  }
  ctx.putImageData(new ImageData(bar, BAR_WIDTH, h), x, y);
  ctx.strokeStyle = "#444";
  ctx.lineWidth = 1;
  ctx.strokeRect(x - 0.5, y - 0.5, BAR_WIDTH + 1, h + 1);
  ctx.fillStyle = "#222";
  ctx.font = `${Math.round(font * 0.85)}px ${FONT_FAMILY}`;
  ctx.textAlign = "left";
  const ticks: Array<[number, number]> = [
    [spec.hi, 0],
    [(spec.lo + spec.hi) / 2, 0.5],
    [spec.lo, 1],
  ];
  for (const [value, f] of ticks) {
    const ty = y + f * (h - 1);
    ctx.fillRect(x + BAR_WIDTH + 1, Math.round(ty), 3, 1);
    ctx.textBaseline = f === 0 ? "top" : f === 1 ? "bottom" : "middle";
    ctx.fillText(tickLabel(value), x + BAR_WIDTH + 6, ty);
  }
}

/** Draws the panels on one sheet and returns it as a picture. */
export function composeGrid(panels: Panel[], o: GridOptions = {}): Picture {
  const L = gridLayout(panels, o);
  const font = o.fontSize ?? 13;
  const canvas = createCanvas(L.width, L.height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, L.width, L.height);
  if (o.title) {
    ctx.fillStyle = "#111";
    ctx.font = `bold ${Math.round(font * 1.15)}px ${FONT_FAMILY}`;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(fitText(ctx, o.title, L.width - 16), 8, L.headerBand / 2 + 2);
  }
  panels.forEach((p, i) => {
    const t = L.tiles[i];
    const tile = createCanvas(p.image.width, p.image.height);
    tile.getContext("2d").putImageData(new ImageData(new Uint8ClampedArray(p.image.data), p.image.width, p.image.height), 0, 0);
    // crisp pixels when enlarging small maps, smooth when shrinking large images
    ctx.imageSmoothingEnabled = t.w < p.image.width;
    ctx.drawImage(tile, t.x, t.y, t.w, t.h);
    const cellLeft = L.cells[i].x;
    if (p.title) {
      ctx.fillStyle = "#111";
      ctx.font = `${font}px ${FONT_FAMILY}`;
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      const cellTop = L.cells[i].y + L.titleBand;
      const room = (o.cell ?? 160) + (p.colorbar ? L.colorbarBand : 0);
      const text = fitText(ctx, p.title, room - 4);
      // centred over the picture, but shifted so a long title stays inside its cell
      const half = ctx.measureText(text).width / 2;
      const centre = Math.min(Math.max(cellLeft + (o.cell ?? 160) / 2, cellLeft + half), cellLeft + room - half);
      ctx.fillText(text, centre, cellTop - 4);
    }
    if (p.colorbar) drawColorbar(ctx, p.colorbar, cellLeft + (o.cell ?? 160) + 6, t.y, t.h, font);
  });
  const img = ctx.getImageData(0, 0, L.width, L.height);
  return new Picture({ width: L.width, height: L.height, data: new Uint8ClampedArray(img.data) }, o.title ?? "");
}
