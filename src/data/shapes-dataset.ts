import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { Random } from "../core/random";
import { SHAPE_CLASSES, ShapeScene, drawScene } from "./shapes";
import { TEXTURES, TextureName } from "./textures";

export interface ShapesOptions {
  /** Number of images. */
  n: number;
  /** Side of the square images in pixels (default 64). */
  size?: number;
  /** Same seed, same images (default 0). */
  seed?: number;
  /**
   * The "snow and wolf" variant: every image of class k gets background texture `BIASED_TEXTURES[k]`,
   * so texture alone predicts the class. Unbiased (default) draws the texture at random.
   */
  biased?: boolean;
  /** Draw every background with this texture (e.g. "plain"); random per image when absent. */
  texture?: TextureName;
}

/** Texture tied to each class in the biased variant (class k ↔ BIASED_TEXTURES[k]). */
export const BIASED_TEXTURES: readonly TextureName[] = TEXTURES.slice(0, SHAPE_CLASSES.length);

/** One object per image. */
export interface ShapesData {
  /** [n, size, size, 3] float32 RGB in [0, 1]. */
  images: tf.Tensor4D;
  /** [n] int32 class index into `classNames`. */
  labels: tf.Tensor1D;
  /** [n, size, size] float32, 1 on the object's pixels. */
  masks: tf.Tensor3D;
  /** [n, 4] int32 boxes (top, left, bottom, right), exclusive ends. */
  boxes: tf.Tensor2D;
  classNames: string[];
  /** The scenes as plain arrays (texture, colour, rotation, ... of each object). */
  scenes: ShapeScene[];
  dispose(): void;
}

/** Two objects of different classes per image. */
export interface ShapePairsData {
  images: tf.Tensor4D;
  /** [n, 2] int32: the class of object 0 and of object 1. */
  labels: tf.Tensor2D;
  /** [n, 2, size, size] float32: each object's own mask. */
  masks: tf.Tensor4D;
  /** [n, 2, 4] int32 boxes (top, left, bottom, right). */
  boxes: tf.Tensor3D;
  classNames: string[];
  scenes: ShapeScene[];
  dispose(): void;
}

function check(options: ShapesOptions): { n: number; size: number; seed: number } {
  const { n, size = 64, seed = 0 } = options;
  if (!Number.isInteger(n) || n < 1) fail(`shapes: n must be a positive integer, got ${n}.`);
  if (!Number.isInteger(size) || size < 16) fail(`shapes: size must be an integer of at least 16 pixels, got ${size}.`);
  if (!Number.isFinite(seed)) fail(`shapes: seed must be a number, got ${seed}.`);
  if (options.texture !== undefined && !TEXTURES.includes(options.texture)) fail(`shapes: texture "${options.texture}" is not one of ${TEXTURES.join(", ")}.`);
  return { n, size, seed };
}

/** Scenes with `count` objects each, in order: scene i of a seed never depends on n. */
export function shapeScenes(options: ShapesOptions, count = 1): ShapeScene[] {
  const { n, size, seed } = check(options);
  const scenes: ShapeScene[] = [];
  for (let i = 0; i < n; i++) {
    const rng = new Random(seed, i);
    const labels = rng.permutation(SHAPE_CLASSES.length).slice(0, count);
    const texture = options.biased ? BIASED_TEXTURES[labels[0]] : options.texture;
    scenes.push(drawScene(rng, { size, labels, texture }));
  }
  return scenes;
}

function stack(scenes: ShapeScene[], count: number) {
  const size = scenes[0].size, area = size * size;
  const pixels = new Float32Array(scenes.length * area * 3);
  const masks = new Float32Array(scenes.length * count * area);
  const labels = new Int32Array(scenes.length * count);
  const boxes = new Int32Array(scenes.length * count * 4);
  scenes.forEach((scene, i) => {
    pixels.set(scene.pixels, i * area * 3);
    scene.objects.forEach((o, j) => {
      const k = i * count + j;
      labels[k] = o.label;
      boxes.set(o.box, k * 4);
      for (let p = 0; p < area; p++) masks[k * area + p] = o.mask[p];
    });
  });
  return { size, pixels, masks, labels, boxes };
}

/** A shapes data set with one object per image. */
export function shapes(options: ShapesOptions): ShapesData {
  const scenes = shapeScenes(options, 1);
  const { size, pixels, masks, labels, boxes } = stack(scenes, 1);
  const n = scenes.length;
  const data = {
    images: tf.tensor4d(pixels, [n, size, size, 3]),
    labels: tf.tensor1d(labels, "int32"),
    masks: tf.tensor3d(masks, [n, size, size]),
    boxes: tf.tensor2d(boxes, [n, 4], "int32"),
    classNames: [...SHAPE_CLASSES],
    scenes,
    dispose: () => tf.dispose([data.images, data.labels, data.masks, data.boxes]),
  };
  return data;
}

/** A shapes data set with two objects of different classes per image, apart from each other. */
export function shapePairs(options: Omit<ShapesOptions, "biased">): ShapePairsData {
  const scenes = shapeScenes(options, 2);
  const { size, pixels, masks, labels, boxes } = stack(scenes, 2);
  const n = scenes.length;
  const data = {
    images: tf.tensor4d(pixels, [n, size, size, 3]),
    labels: tf.tensor2d(labels, [n, 2], "int32"),
    masks: tf.tensor4d(masks, [n, 2, size, size]),
    boxes: tf.tensor3d(boxes, [n, 2, 4], "int32"),
    classNames: [...SHAPE_CLASSES],
    scenes,
    dispose: () => tf.dispose([data.images, data.labels, data.masks, data.boxes]),
  };
  return data;
}
