import { MapLike, rankDescending } from "./maps";
import { mapsAndMasks, Region } from "./region";
import { metricResult, MetricResult } from "./result";

/**
 * Relevance mass accuracy (Arras et al. 2022): the share of the map's positive relevance (channels
 * summed, then the positive part) that lies on the object. 1 = all of it on the object; a map with no
 * positive relevance scores 0.
 */
export function relevanceMass(attribution: MapLike, region: Region): MetricResult {
  const { values, masks } = mapsAndMasks(attribution, region);
  const scores = values.map((v, b) => {
    let inside = 0,
      total = 0;
    for (let i = 0; i < v.length; i++) {
      const r = Math.max(0, v[i]);
      total += r;
      if (masks[b][i]) inside += r;
    }
    return total > 0 ? inside / total : 0;
  });
  return metricResult("relevanceMass", scores, {});
}

/**
 * Relevance rank accuracy (Arras et al. 2022): with K the object's size in pixels, the share of the
 * map's K highest pixels (channels summed; ties in reading order) that lie on the object. An empty
 * mask scores 0.
 */
export function relevanceRankAccuracy(attribution: MapLike, region: Region): MetricResult {
  const { values, masks } = mapsAndMasks(attribution, region);
  const scores = values.map((v, b) => {
    const mask = masks[b];
    const k = mask.reduce((a, m) => a + m, 0);
    if (k === 0) return 0;
    const order = rankDescending(v);
    let on = 0;
    for (let i = 0; i < k; i++) on += mask[order[i]];
    return on / k;
  });
  return metricResult("relevanceRankAccuracy", scores, {});
}
