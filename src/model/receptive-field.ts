import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { isGraphModel, Model } from "./kind";
import { isModel, LayerRef, resolveLayer } from "./layers";
import { assertModel } from "./validate";

/** Rows `top..bottom-1`, columns `left..right-1` in input pixels (exclusive ends, like dv.data's boxes). */
export type FieldBox = [top: number, left: number, bottom: number, right: number];

/**
 * The input window each unit of a layer sees. Unit (row r, column c) covers input rows
 * `offset[0] + r·stride[0]` to that plus `size[0] − 1` (columns alike). Windows may reach past the
 * image where the network pads: `box` gives them unclipped, `clippedBox` inside the image.
 */
export class ReceptiveField {
  constructor(
    readonly layer: string,
    /** Window height and width in input pixels. */
    readonly size: [number, number],
    /** Input pixels between neighbouring units. */
    readonly stride: [number, number],
    /** Input row and column of unit (0, 0)'s top-left corner (negative: it starts in the padding). */
    readonly offset: [number, number],
    /** The model's input height and width. */
    readonly inputSize: [number, number],
  ) {}

  /** The window of the unit at `position` = [row, column] of the layer's map. */
  box(position: readonly number[]): FieldBox {
    const [r, c] = position;
    const top = this.offset[0] + r * this.stride[0];
    const left = this.offset[1] + c * this.stride[1];
    return [top, left, top + this.size[0], left + this.size[1]];
  }

  /** The part of that window inside the image. */
  clippedBox(position: readonly number[]): FieldBox {
    const [t, l, b, r] = this.box(position);
    const [h, w] = this.inputSize;
    return [Math.max(0, t), Math.max(0, l), Math.min(h, b), Math.min(w, r)];
  }

  toString(): string {
    return `ReceptiveField(${this.layer}: ${this.size.join("×")} px, stride ${this.stride.join("×")}, offset ${this.offset.join(", ")})`;
  }
}

/** Layers that keep every unit where it is (element-wise or per-channel). */
const IN_PLACE = new Set([
  "Activation",
  "ReLU",
  "LeakyReLU",
  "PReLU",
  "ELU",
  "ThresholdedReLU",
  "Softmax",
  "BatchNormalization",
  "LayerNormalization",
  "Dropout",
  "SpatialDropout2D",
  "GaussianNoise",
  "GaussianDropout",
  "AlphaDropout",
]);
const WINDOWED = new Set(["Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D", "AveragePooling2D"]);

/** One axis of the running geometry: window size, stride and first row, in input pixels. */
interface Axis {
  size: number;
  stride: number;
  offset: number;
}

/**
 * The receptive field of a layer of a LayersModel: walks from the input to the layer through
 * convolutions and poolings (kernel, stride, dilation, "same"/"valid" padding as TensorFlow pads:
 * the extra pixel of an odd total goes after), zero padding and cropping; element-wise layers keep it.
 * The layer must be reached by a chain of single-input layers with spatial axes.
 */
export function receptiveField(model: Model, layer: LayerRef): ReceptiveField {
  assertModel(model);
  if (isGraphModel(model))
    fail("receptiveField reads the layers' kernel sizes and strides, which a GraphModel does not keep; use a LayersModel.");
  const target = resolveLayer(model, layer);
  const chain = chainFromInput(target);
  const input = spatial(model.inputs[0].shape, "input");
  const axes: [Axis, Axis] = [
    { size: 1, stride: 1, offset: 0 },
    { size: 1, stride: 1, offset: 0 },
  ];
  let size = input; // the height and width entering each layer
  for (const l of chain) {
    step(l, axes, size);
    if (shapeOf(l).length === 4) size = spatial(shapeOf(l), l.name);
  }
  return new ReceptiveField(
    target.name,
    [axes[0].size, axes[1].size],
    [axes[0].stride, axes[1].stride],
    [axes[0].offset, axes[1].offset],
    input,
  );
}

/** The layers from the first one after the input up to `target`, in order. */
function chainFromInput(target: tf.layers.Layer): tf.layers.Layer[] {
  const chain: tf.layers.Layer[] = [];
  for (let l: tf.layers.Layer | null = target; l;) {
    if (l.getClassName() === "InputLayer") break;
    if (isModel(l)) fail(`receptiveField does not look inside nested models (${l.name}); rebuild the model flat.`);
    const nodes: Array<{ inboundLayers: tf.layers.Layer[] }> = (
      l as unknown as { inboundNodes: Array<{ inboundLayers: tf.layers.Layer[] }> }
    ).inboundNodes;
    const inbound: tf.layers.Layer[] = nodes[0]?.inboundLayers ?? [];
    if (inbound.length > 1 || nodes.length > 1)
      fail(
        `receptiveField follows a chain of single-input layers; ${l.name} (${l.getClassName()}) joins ${inbound.length} inputs. ` +
          "Choose a layer before the branches meet.",
      );
    chain.unshift(l);
    l = inbound[0] ?? null;
  }
  return chain;
}

function step(l: tf.layers.Layer, axes: [Axis, Axis], inSize: [number, number]): void {
  const cls = l.getClassName();
  const config = l.getConfig() as Record<string, unknown>;
  if (IN_PLACE.has(cls)) return;
  if (WINDOWED.has(cls)) {
    if (config.dataFormat === "channelsFirst")
      fail(`layer ${l.name} is channels-first; receptiveField reads [height, width] axes last-but-one.`);
    const pooling = cls.endsWith("Pooling2D");
    const kernel = pair(pooling ? config.poolSize : config.kernelSize);
    const stride = pair(config.strides ?? (pooling ? config.poolSize : 1));
    const dilation = pair(pooling ? 1 : (config.dilationRate ?? 1));
    axes.forEach((a, i) => {
      const k = dilation[i] * (kernel[i] - 1) + 1;
      const before = config.padding === "same" ? samePaddingBefore(inSize[i], k, stride[i]) : 0;
      a.offset -= before * a.stride;
      a.size += (k - 1) * a.stride;
      a.stride *= stride[i];
    });
    return;
  }
  if (cls === "ZeroPadding2D" || cls === "Cropping2D") {
    const amounts = (cls === "ZeroPadding2D" ? config.padding : config.cropping) as number | number[] | number[][];
    const before = [0, 1].map((i) => {
      const a = Array.isArray(amounts) ? amounts[i] : amounts;
      return Array.isArray(a) ? a[0] : (a as number);
    });
    axes.forEach((a, i) => (a.offset += (cls === "ZeroPadding2D" ? -1 : 1) * before[i] * a.stride));
    return;
  }
  if (shapeOf(l).length !== 4)
    fail(
      `layer ${l.name} (${cls}) has no spatial axes: each of its units sees the whole input. Choose a convolution or pooling layer.`,
    );
  fail(`receptiveField does not know how ${cls} (layer ${l.name}) moves pixels; choose an earlier layer.`);
}

/** TensorFlow's "same" padding before the first row: half the total, rounded down. */
function samePaddingBefore(n: number, k: number, s: number): number {
  const out = Math.ceil(n / s);
  return Math.floor(Math.max((out - 1) * s + k - n, 0) / 2);
}

function pair(v: unknown): [number, number] {
  if (Array.isArray(v)) return [Number(v[0]), Number(v[v.length > 1 ? 1 : 0])];
  return [Number(v), Number(v)];
}

function shapeOf(l: tf.layers.Layer): (number | null)[] {
  return (Array.isArray(l.outputShape[0]) ? l.outputShape[0] : l.outputShape) as (number | null)[];
}

function spatial(shape: (number | null)[], name: string): [number, number] {
  if (shape.length !== 4) fail(`layer ${name} has shape [${shape.join(", ")}], not [batch, height, width, channels].`);
  const [h, w] = [shape[1], shape[2]];
  if (h == null || w == null) fail(`layer ${name} has an unknown height or width; build the model with a fixed input shape.`);
  return [h, w];
}
