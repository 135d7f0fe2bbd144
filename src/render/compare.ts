import { Attribution } from "../attribution";
import { fail } from "../errors";
import { ImageLike, MapLike, toHWC, toImage } from "./arrays";
import { AttributionViewOptions, renderItem } from "./attribution-view";
import { composeGrid, GridOptions, Panel } from "./compose";
import { Picture } from "./picture";
import { original } from "./views";
import { reduceChannels, sharedRange } from "./normalize";
import { resizeMap } from "./upsample";

/** One column of a comparison row: an attribution (or raw map) and how to draw it. */
export type CompareItem = Attribution | ({ values: Attribution | MapLike; title?: string } & AttributionViewOptions);

export interface CompareOptions extends AttributionViewOptions, GridOptions {
  /** Put the input image first, titled "image" (default true). */
  showImage?: boolean;
  /** Colour bars beside the maps (default true). */
  colorbar?: boolean;
  /**
   * Scale every map with one range (sharedRange over all of them), so equal colours mean equal
   * values across methods; default false (each map scaled alone).
   */
  shareRange?: boolean;
}

/**
 * image | saliency | guided backprop | Grad-CAM | … side by side, each titled and with its colour bar.
 * Options given here apply to every item; an item's own options win.
 */
export function compare(image: ImageLike, entries: CompareItem[], o: CompareOptions = {}): Picture {
  if (!Array.isArray(entries) || entries.length === 0) fail("compare needs a list of attributions to put side by side.");
  const img = toImage(image);
  const panels: Panel[] = [];
  if (o.showImage ?? true) panels.push({ image: original(img), title: "image" });
  const items = entries.map((e) => {
    const { values, title, ...own } = e instanceof Attribution ? { values: e, title: undefined } : e;
    const name = title ?? (values instanceof Attribution ? values.method + (values.layer ? ` (${values.layer})` : "") : "");
    const raw = values instanceof Attribution ? values.values : values;
    return { name, own, hwc: toHWC(raw as MapLike, "attribution values") };
  });
  let range: [number, number] | undefined;
  if (o.shareRange) {
    const maps = items.map(({ hwc, own }) => {
      const m = reduceChannels(hwc, own.reduce ?? o.reduce ?? "sum");
      return m.height === img.height && m.width === img.width
        ? m
        : resizeMap(m, img.height, img.width, own.upsample ?? o.upsample);
    });
    range = sharedRange(maps, o);
  }
  for (const { name, own, hwc } of items) {
    const opts: AttributionViewOptions = { view: "heatmap", ...o, ...own, ...(range ? { normalize: "range", range } : {}) };
    const r = renderItem(hwc, img, opts);
    panels.push({ image: r.rgba, title: name, colorbar: (o.colorbar ?? true) ? r.colorbar : undefined });
  }
  return composeGrid(panels, {
    columns: o.columns ?? panels.length,
    cell: o.cell ?? 160,
    gap: o.gap,
    title: o.title,
    fontSize: o.fontSize,
  });
}
