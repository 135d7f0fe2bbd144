import { Random } from "../core/random";
import { TEXTURES, TextureName, hsv, paintTexture } from "./textures";

/**
 * The synthetic "shapes" scenes: saturated objects on a muted textured background, drawn pixel by pixel
 * from a seed, with the exact mask and box of every object (the ground truth that attribution maps are
 * checked against).
 */
export const SHAPE_CLASSES = ["circle", "square", "triangle", "star", "hexagon", "cross"] as const;
export type ShapeClass = (typeof SHAPE_CLASSES)[number];

/** Box in pixels: rows `top..bottom-1`, columns `left..right-1` (exclusive ends, like slices). */
export type Box = [top: number, left: number, bottom: number, right: number];

export interface ShapeObject {
  label: number;
  className: ShapeClass;
  /** size×size, 1 where the object covers the pixel centre. */
  mask: Uint8Array;
  box: Box;
  centre: [y: number, x: number];
  radius: number;
  rotation: number;
  colour: [number, number, number];
}

export interface ShapeScene {
  size: number;
  /** HWC, RGB in [0, 1]. */
  pixels: Float32Array;
  texture: TextureName;
  objects: ShapeObject[];
}

export interface SceneOptions {
  size?: number;
  /** Class of each object to draw (1 or more; distinct classes keep the masks unambiguous). */
  labels: number[];
  /** Background texture; random when absent. */
  texture?: TextureName;
}

/** Outline of each polygonal class at unit radius, angle 0 pointing right. */
function outline(name: ShapeClass): Array<[number, number]> {
  const ring = (n: number, r: (k: number) => number, start: number) =>
    Array.from({ length: n }, (_, k) => {
      const a = start + (2 * Math.PI * k) / n;
      return [r(k) * Math.cos(a), r(k) * Math.sin(a)] as [number, number];
    });
  switch (name) {
    case "square":
      return ring(4, () => 1, Math.PI / 4);
    case "triangle":
      return ring(3, () => 1.1, -Math.PI / 2);
    case "star":
      return ring(10, (k) => (k % 2 === 0 ? 1.12 : 0.46), -Math.PI / 2);
    case "hexagon":
      return ring(6, () => 1, 0);
    case "cross": {
      const w = 0.34, l = 1;
      return [[w, -l], [w, -w], [l, -w], [l, w], [w, w], [w, l], [-w, l], [-w, w], [-l, w], [-l, -w], [-w, -w], [-w, -l]];
    }
    case "circle":
      return [];
  }
}

/** Even–odd rule: is (x, y) inside the polygon? */
function insidePolygon(poly: Array<[number, number]>, x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i], [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Membership test in image coordinates for one placed object. */
function coverage(name: ShapeClass, cy: number, cx: number, r: number, rotation: number) {
  const poly = outline(name);
  const c = Math.cos(-rotation), s = Math.sin(-rotation);
  return (px: number, py: number): boolean => {
    const dx = (px - cx) / r, dy = (py - cy) / r;
    if (name === "circle") return dx * dx + dy * dy <= 0.9 * 0.9;
    return insidePolygon(poly, dx * c - dy * s, dx * s + dy * c);
  };
}

function overlaps(a: Box, b: Box, gap: number): boolean {
  return a[0] < b[2] + gap && b[0] < a[2] + gap && a[1] < b[3] + gap && b[1] < a[3] + gap;
}

/** Draws one scene from `rng`; the same generator state always gives the same scene. */
export function drawScene(rng: Random, options: SceneOptions): ShapeScene {
  const size = options.size ?? 64;
  const texture = options.texture ?? rng.pick(TEXTURES);
  const pixels = new Float32Array(size * size * 3);
  paintTexture(pixels, size, texture, rng);
  const many = options.labels.length > 1;
  for (const label of options.labels) {
    if (SHAPE_CLASSES[label] === undefined) throw new RangeError(`shape label ${label} is not in 0..${SHAPE_CLASSES.length - 1}`);
  }
  // place every object fully inside the image and (in multi-object scenes) apart from the others;
  // when a later object finds no room, the whole layout is drawn again
  let placed: Array<Omit<ShapeObject, "colour">> = [];
  for (let layout = 0; layout < 1000; layout++) {
    placed = [];
    for (const label of options.labels) {
      const className = SHAPE_CLASSES[label];
      const r = size * (many ? rng.uniform(0.15, 0.21) : rng.uniform(0.17, 0.3));
      const margin = r * 1.15 + 1;
      const cy = rng.uniform(margin, size - margin), cx = rng.uniform(margin, size - margin);
      const rotation = rng.uniform(0, 2 * Math.PI);
      const inside = coverage(className, cy, cx, r, rotation);
      const mask = new Uint8Array(size * size);
      let top = size, left = size, bottom = 0, right = 0;
      for (let y = Math.max(0, Math.floor(cy - margin)); y < Math.min(size, Math.ceil(cy + margin)); y++) {
        for (let x = Math.max(0, Math.floor(cx - margin)); x < Math.min(size, Math.ceil(cx + margin)); x++) {
          if (!inside(x + 0.5, y + 0.5)) continue;
          mask[y * size + x] = 1;
          top = Math.min(top, y); left = Math.min(left, x);
          bottom = Math.max(bottom, y + 1); right = Math.max(right, x + 1);
        }
      }
      const box: Box = [top, left, bottom, right];
      if (placed.some((o) => overlaps(o.box, box, 2))) break;
      placed.push({ label, className, mask, box, centre: [cy, cx], radius: r, rotation });
    }
    if (placed.length === options.labels.length) break;
  }
  if (placed.length !== options.labels.length) throw new RangeError(`no room for ${options.labels.length} separate objects in a ${size}×${size} image`);
  const objects: ShapeObject[] = placed.map((o) => ({ ...o, colour: hsv(rng.next(), rng.uniform(0.65, 1), rng.uniform(0.75, 1)) }));
  for (const o of objects) for (let i = 0; i < size * size; i++) if (o.mask[i]) pixels.set(o.colour, i * 3);
  return { size, pixels, texture, objects };
}
