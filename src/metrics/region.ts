import * as tf from "@tensorflow/tfjs";
import { Attribution } from "../attribution";
import { fail } from "../errors";
import { featureValues, MapLike } from "./maps";

/** Box in pixels: rows top..bottom−1, columns left..right−1 (as dv.data.shapes gives them). */
export type BoxLike = [top: number, left: number, bottom: number, right: number];

/**
 * Where the object is: a mask tensor ([H, W], [B, H, W] or [B, H, W, 1], nonzero on the object; the
 * `masks` of dv.data.shapes), boxes as an int32 tensor [4] or [B, 4] (its `boxes`), or boxes as arrays.
 */
export type Region = tf.Tensor | BoxLike | BoxLike[];

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

function isBoxTensor(r: tf.Tensor): boolean {
  return r.dtype === "int32" && r.rank <= 2 && r.shape[r.rank - 1] === 4;
}

function boxList(region: Region): BoxLike[] | null {
  if (region instanceof tf.Tensor) {
    if (!isBoxTensor(region)) return null;
    const v = Array.from(region.dataSync());
    return Array.from({ length: v.length / 4 }, (_, i) => v.slice(4 * i, 4 * i + 4) as BoxLike);
  }
  if (!Array.isArray(region))
    fail("the region must be a mask tensor, an int32 tensor of boxes, a box [top, left, bottom, right] or a list of boxes.");
  const list = (typeof region[0] === "number" ? [region] : region) as BoxLike[];
  for (const b of list) {
    if (!Array.isArray(b) || b.length !== 4 || !b.every(Number.isFinite))
      fail(`a box is [top, left, bottom, right] in pixels; got ${JSON.stringify(b)}.`);
  }
  return list;
}

/** The map's examples and spatial grid, read from the Attribution or, for a bare tensor, matched to the region. */
function mapLayout(map: MapLike, region: Region): { batch: number; item: number[] } {
  const values = map instanceof Attribution ? map.values : map;
  if (!(values instanceof tf.Tensor)) fail("the attribution must be a dv.Attribution or a tf.Tensor of attribution values.");
  if (values.isDisposed) fail("the attribution was already disposed; score it before disposing it.");
  const s = values.shape;
  if (s.length < 2 || s.length > 4)
    fail(
      `the attribution has shape ${fmt(s)}; a localisation metric needs an image map [H, W], [H, W, C], [B, H, W] or [B, H, W, C].`,
    );
  let batched: boolean;
  if (map instanceof Attribution) batched = map.batched;
  else if (s.length !== 3) batched = s.length === 4;
  else {
    // [B, H, W] or [H, W, C]: the mask's grid decides (a mask per example means a batch), else the boxes
    const boxes = boxList(region);
    if (boxes) batched = s[2] > 4 || (boxes.length > 1 && boxes.length === s[0]);
    else {
      const r = region as tf.Tensor;
      const grid = r.rank === 4 ? r.shape.slice(1, 3) : r.shape.slice(-2);
      const perExample = r.rank >= 3 && r.shape[0] === s[0];
      const asBatch = s[1] === grid[0] && s[2] === grid[1];
      batched = asBatch && (perExample || !(s[0] === grid[0] && s[1] === grid[1]));
    }
  }
  return { batch: batched ? s[0] : 1, item: batched ? s.slice(1) : s };
}

/** One 0/1 mask per example over the H×W grid; a single mask or box applies to every example. */
export function regionMasks(region: Region, batch: number, h: number, w: number): Uint8Array[] {
  const boxes = boxList(region);
  if (boxes) {
    if (boxes.length !== 1 && boxes.length !== batch)
      fail(`got ${boxes.length} boxes for ${batch} maps; give one box per map, or one for all.`);
    const masks = boxes.map(([top, left, bottom, right]) => {
      const m = new Uint8Array(h * w);
      for (let y = Math.max(0, top); y < Math.min(h, bottom); y++)
        for (let x = Math.max(0, left); x < Math.min(w, right); x++) m[y * w + x] = 1;
      return m;
    });
    return Array.from({ length: batch }, (_, b) => masks[boxes.length === 1 ? 0 : b]);
  }
  const r = region as tf.Tensor;
  if (r.isDisposed) fail("the mask was already disposed.");
  let shape = r.shape;
  if (shape.length >= 3 && shape[shape.length - 1] === 1 && shape.length !== 3) shape = shape.slice(0, -1);
  else if (shape.length === 3 && shape[2] === 1 && !(shape[0] === batch && shape[1] === h && shape[2] === w))
    shape = shape.slice(0, 2);
  const one = shape.length === 2 && shape[0] === h && shape[1] === w;
  const many = shape.length === 3 && shape[0] === batch && shape[1] === h && shape[2] === w;
  if (!one && !many) {
    fail(
      `the mask has shape ${fmt(r.shape)} but the map${batch > 1 ? "s are" : " is"} ${batch} × ${h}×${w}; ` +
        `give a mask [${h}, ${w}]${batch > 1 ? ` or [${batch}, ${h}, ${w}]` : ""} (dv.data.shapes' masks fit its images).`,
    );
  }
  const data = r.dataSync();
  const n = h * w;
  return Array.from({ length: batch }, (_, b) => {
    const m = new Uint8Array(n);
    const off = one ? 0 : b * n;
    for (let i = 0; i < n; i++) m[i] = data[off + i] > 0 ? 1 : 0;
    return m;
  });
}

/** A localisation metric's inputs: per example, the map's pixel values (channels summed) and the region's mask. */
export function mapsAndMasks(
  map: MapLike,
  region: Region,
): { values: Float32Array[]; masks: Uint8Array[]; h: number; w: number } {
  const { batch, item } = mapLayout(map, region);
  const [h, w] = item;
  return { values: featureValues(map, batch, item), masks: regionMasks(region, batch, h, w), h, w };
}
