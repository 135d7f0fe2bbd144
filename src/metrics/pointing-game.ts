import { fail } from "../errors";
import { MapLike } from "./maps";
import { mapsAndMasks, Region } from "./region";
import { metricResult, MetricResult } from "./result";

export interface PointingGameOptions {
  /** A hit also counts when the peak lies within this many pixels of the object (Zhang et al. use 15; default 0). */
  tolerance?: number;
}

export interface PointingGameResult extends MetricResult {
  /** Per example: did the map's peak land on the object? */
  hits: boolean[];
  /** hits / examples (the same as `mean`). */
  accuracy: number;
  /** Per example: the peak's [row, column] (the first maximum in reading order; channels summed). */
  peaks: Array<[number, number]>;
}

/**
 * The pointing game (Zhang et al. 2016): a hit when the map's maximum (channels summed) lies on the
 * object's mask or box, or within `tolerance` pixels (Euclidean) of it; accuracy = hits / examples.
 * `region` is a mask ([H, W] or one per example) or boxes, e.g. dv.data.shapes' `masks` or `boxes`.
 */
export function pointingGame(attribution: MapLike, region: Region, options: PointingGameOptions = {}): PointingGameResult {
  const tolerance = options.tolerance ?? 0;
  if (!(Number.isFinite(tolerance) && tolerance >= 0)) fail(`tolerance is a distance in pixels, 0 or more; got ${tolerance}.`);
  const { values, masks, w } = mapsAndMasks(attribution, region);
  const peaks: Array<[number, number]> = [];
  const hits = values.map((v, b) => {
    let best = 0;
    for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    const py = Math.floor(best / w),
      px = best % w;
    peaks.push([py, px]);
    const mask = masks[b];
    if (mask[best]) return true;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] && (Math.floor(i / w) - py) ** 2 + ((i % w) - px) ** 2 <= tolerance * tolerance) return true;
    }
    return false;
  });
  const scores: number[] = hits.map((h) => (h ? 1 : 0));
  return metricResult("pointingGame", scores, { hits, peaks, accuracy: scores.reduce((a, b) => a + b, 0) / scores.length });
}
