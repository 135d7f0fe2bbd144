import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { items, toImage } from "./arrays";
import { composeGrid, GridOptions, Panel } from "./compose";
import { Picture } from "./picture";
import { ImageData3 } from "./types";
import { original } from "./views";

/** What dv.topPatches returns, as far as drawing it goes (src/methods/top-patches.ts). */
export interface TopPatchesLike {
  layer: string;
  channels: Array<{
    channel: number;
    hits: Array<{ value: number; box: [number, number, number, number] }>;
    patches: tf.Tensor;
    projections: Partial<Record<string, tf.Tensor>>;
  }>;
}

export interface TopPatchesViewOptions extends GridOptions {
  /** Which of the result's channels to draw (positions in `result.channels`; default all). */
  only?: number[];
  /** Backward rules to draw under the patches (default every one the result holds). */
  rules?: string[];
  /** Patches per channel (default all). */
  k?: number;
}

/**
 * Zeiler & Fergus's figure: per channel a row of its top image patches and, under it, a row per
 * backward rule with each projection cut to the same receptive field. A projection is signed, so it is
 * drawn as 0.5 + 0.5·g / max|g| per tile (grey = no gradient), in colour like the image.
 */
export function topPatches(result: TopPatchesLike, o: TopPatchesViewOptions = {}): Picture {
  if (!result || !Array.isArray(result.channels) || result.channels.length === 0)
    fail("render.topPatches draws what dv.topPatches returns; got something without channels.");
  const chosen = (o.only ?? result.channels.map((_, i) => i)).map(
    (i) => result.channels[i] ?? fail(`only: ${i} is not a position in result.channels (0..${result.channels.length - 1}).`),
  );
  const rules = o.rules ?? Object.keys(result.channels[0].projections);
  const panels: Panel[] = [];
  let columns = 1;
  for (const c of chosen) {
    const k = Math.min(o.k ?? c.hits.length, c.hits.length);
    columns = Math.max(columns, k);
    const patches = items(c.patches, "patches").slice(0, k);
    patches.forEach((p, i) =>
      panels.push({ image: original(toImage(p)), title: `${i === 0 ? `#${c.channel}: ` : ""}${c.hits[i].value.toPrecision(3)}` }),
    );
    padRow(panels, k, columns);
    for (const rule of rules) {
      const projection =
        c.projections[rule] ??
        fail(`this result has no "${rule}" projections; it has ${Object.keys(c.projections).join(", ") || "none"}.`);
      items(projection, "projections")
        .slice(0, k)
        .forEach((g, i) =>
          panels.push({ image: original(toImage(signedImage(cut(g, c.hits[i].box)))), title: i === 0 ? rule : undefined }),
        );
      padRow(panels, k, columns);
    }
  }
  return composeGrid(panels, { columns, cell: 72, gap: 4, title: `${result.layer}: top patches`, fontSize: 11, ...o });
}

/** Blank tiles to fill a row narrower than the widest one. */
function padRow(panels: Panel[], k: number, columns: number): void {
  for (let i = k; i < columns; i++)
    panels.push({ image: { width: 1, height: 1, data: new Uint8ClampedArray([255, 255, 255, 255]) } });
}

/** The box of an H×W×C map, zero outside it. */
function cut(m: ImageData3, [top, left, bottom, right]: [number, number, number, number]): ImageData3 {
  const height = bottom - top,
    width = right - left,
    C = m.channels;
  const data = new Float32Array(height * width * C);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const yy = top + y,
        xx = left + x;
      if (yy < 0 || xx < 0 || yy >= m.height || xx >= m.width) continue;
      for (let ch = 0; ch < C; ch++) data[(y * width + x) * C + ch] = m.data[(yy * m.width + xx) * C + ch];
    }
  return { height, width, channels: C, data };
}

/** Signed values to [0, 1]: 0.5 + 0.5·v / max|v| (all grey when the map is zero). */
export function signedImage(m: ImageData3): ImageData3 {
  let peak = 0;
  for (const v of m.data) peak = Math.max(peak, Math.abs(v));
  const scale = peak > 0 ? 0.5 / peak : 0;
  return { ...m, data: m.data.map((v) => 0.5 + v * scale) };
}
