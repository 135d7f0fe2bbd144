import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { items } from "./arrays";
import { composeGrid, GridOptions } from "./compose";
import { toImage } from "./arrays";
import { Picture } from "./picture";
import { original } from "./views";

export interface ImageGridOptions extends GridOptions {
  /** One title per image. */
  titles?: string[];
}

/** A batch of images [N, H, W, C] (values in [0, 1]) as one titled grid: feature visualisations per channel, samples. */
export function imageGrid(images: tf.Tensor, o: ImageGridOptions = {}): Picture {
  if (!(images instanceof tf.Tensor) || images.rank !== 4) fail("imageGrid needs a batch of images [N, H, W, C].");
  const panels = items(images, "images").map((img, i) => ({ image: original(toImage(img)), title: o.titles?.[i] }));
  return composeGrid(panels, { columns: Math.min(8, panels.length), cell: 96, ...o });
}
