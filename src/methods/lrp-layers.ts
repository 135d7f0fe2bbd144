import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { activationName, isModel } from "../model/layers";

/**
 * The layers LRP sees as linear maps z = run(a, kernel) + bias, so that one set of rules (ε, γ, αβ, z^B)
 * serves them all by changing the kernel and bias. A layer may be a chain of such maps (a separable conv
 * is a depthwise then a pointwise one); a batch norm right after a linear layer is folded into it.
 */
export interface LinearMap {
  /** Bias-free application with a (possibly modified) kernel. */
  run(a: tf.Tensor, kernel: tf.Tensor): tf.Tensor;
  kernel: tf.Tensor;
  bias: tf.Tensor | null;
  /** Which composite entry applies: weights of a dense or conv layer, or a normalising layer (always ε). */
  kind: "dense" | "conv" | "norm";
  /** A depthwise kernel [h, w, in, multiplier]: output channel i·multiplier + m. */
  depthwise?: boolean;
}

interface Weighted {
  read(): tf.Tensor;
}
interface ConvFields {
  kernel?: Weighted;
  depthwiseKernel?: Weighted;
  pointwiseKernel?: Weighted;
  bias?: Weighted | null;
  strides: number[];
  padding: "same" | "valid" | "causal";
  dilationRate: number | number[];
  dataFormat?: string;
}
interface NormFields {
  gamma?: Weighted | null;
  beta?: Weighted | null;
  movingMean: Weighted;
  movingVariance: Weighted;
  epsilon: number;
  axis: number | number[];
}

/** Layers whose ordinary gradient already moves relevance correctly (relevance form: R flows as the gradient). */
export const PASS_THROUGH = new Set([
  "Flatten",
  "Reshape",
  "MaxPooling1D",
  "MaxPooling2D",
  "GlobalMaxPooling1D",
  "GlobalMaxPooling2D",
  "Dropout",
  "SpatialDropout1D",
  "GaussianDropout",
  "AlphaDropout",
  "Concatenate",
  "ZeroPadding2D",
  "Cropping2D",
  "Permute",
  "InputLayer",
]);
const LINEAR_CLASSES = new Set([
  "Dense",
  "Conv2D",
  "DepthwiseConv2D",
  "SeparableConv2D",
  "BatchNormalization",
  "AveragePooling1D",
  "AveragePooling2D",
  "GlobalAveragePooling1D",
  "GlobalAveragePooling2D",
]);
export const SUPPORTED = [...LINEAR_CLASSES, "Add", ...PASS_THROUGH].filter((c) => c !== "InputLayer");

const pair = (d: number | number[]): [number, number] => (typeof d === "number" ? [d, d] : [d[0], d[1] ?? d[0]]);
const ONE = () => tf.scalar(1);

function checkConv(layer: tf.layers.Layer, l: ConvFields): void {
  if ((l.dataFormat ?? "channelsLast") !== "channelsLast")
    fail(`LRP supports channelsLast convolutions; layer ${layer.name} is channelsFirst.`);
  if (l.padding === "causal") fail(`LRP does not support causal padding (layer ${layer.name}).`);
}

/** Per-channel scale and shift of an inference-mode batch norm over the last axis. */
export function batchNormAffine(layer: tf.layers.Layer): { scale: tf.Tensor; shift: tf.Tensor } {
  const l = layer as unknown as NormFields;
  const axis = Array.isArray(l.axis) ? l.axis : [l.axis];
  const rank = layer.inputSpec?.[0]?.ndim ?? (layer.input as tf.SymbolicTensor).shape.length;
  if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== rank - 1))
    fail(`LRP folds batch norms over the last axis only; layer ${layer.name} normalises axis ${JSON.stringify(l.axis)}.`);
  return tf.tidy(() => {
    const mean = l.movingMean.read();
    const gamma = l.gamma ? l.gamma.read() : tf.onesLike(mean);
    const beta = l.beta ? l.beta.read() : tf.zerosLike(mean);
    const scale = tf.div(gamma, tf.sqrt(tf.add(l.movingVariance.read(), l.epsilon)));
    return { scale, shift: tf.sub(beta, tf.mul(mean, scale)) };
  });
}

/** The linear maps of a layer, or null when the layer is not linear. Tensors are created in the caller's scope. */
export function linearMaps(layer: tf.layers.Layer): LinearMap[] | null {
  const cls = layer.getClassName();
  const l = layer as unknown as ConvFields;
  const bias = l.bias ? l.bias.read() : null;
  switch (cls) {
    case "Dense":
      return [
        {
          kind: "dense",
          kernel: l.kernel!.read(),
          bias,
          run: (a, k) => {
            const flat = a.rank === 2 ? a : tf.reshape(a, [-1, a.shape[a.rank - 1]]);
            const y = tf.matMul(flat as tf.Tensor2D, k as tf.Tensor2D);
            return a.rank === 2 ? y : tf.reshape(y, [...a.shape.slice(0, -1), k.shape[1]!]);
          },
        },
      ];
    case "Conv2D":
      checkConv(layer, l);
      return [
        {
          kind: "conv",
          kernel: l.kernel!.read(),
          bias,
          run: (a, k) =>
            tf.conv2d(
              a as tf.Tensor4D,
              k as tf.Tensor4D,
              pair(l.strides),
              l.padding as "same" | "valid",
              "NHWC",
              pair(l.dilationRate),
            ),
        },
      ];
    case "DepthwiseConv2D":
      checkConv(layer, l);
      return [
        {
          kind: "conv",
          depthwise: true,
          kernel: l.depthwiseKernel!.read(),
          bias,
          run: (a, k) =>
            tf.depthwiseConv2d(
              a as tf.Tensor4D,
              k as tf.Tensor4D,
              pair(l.strides),
              l.padding as "same" | "valid",
              "NHWC",
              pair(l.dilationRate ?? 1),
            ),
        },
      ];
    case "SeparableConv2D":
      checkConv(layer, l);
      return [
        {
          kind: "conv",
          depthwise: true,
          kernel: l.depthwiseKernel!.read(),
          bias: null,
          run: (a, k) =>
            tf.depthwiseConv2d(
              a as tf.Tensor4D,
              k as tf.Tensor4D,
              pair(l.strides),
              l.padding as "same" | "valid",
              "NHWC",
              pair(l.dilationRate),
            ),
        },
        {
          kind: "conv",
          kernel: l.pointwiseKernel!.read(),
          bias,
          run: (a, k) => tf.conv2d(a as tf.Tensor4D, k as tf.Tensor4D, 1, "valid"),
        },
      ];
    case "BatchNormalization": {
      const { scale, shift } = batchNormAffine(layer);
      return [{ kind: "norm", kernel: scale, bias: shift, run: (a, k) => tf.mul(a, k) }];
    }
    case "AveragePooling1D":
    case "AveragePooling2D":
    case "GlobalAveragePooling1D":
    case "GlobalAveragePooling2D":
      // a pool is a linear map with positive weights; the kernel is a unit scalar so the rules can modify it
      return [{ kind: "norm", kernel: ONE(), bias: null, run: (a, k) => tf.mul(layer.apply(a) as tf.Tensor, k) }];
    default:
      return null;
  }
}

/** Folds a batch norm's scale and shift into the last map of the layer before it. */
export function foldBatchNorm(maps: LinearMap[], norm: tf.layers.Layer): LinearMap[] {
  const { scale, shift } = batchNormAffine(norm);
  const last = maps[maps.length - 1];
  const out = last.kernel.shape[last.kernel.rank - 1]!;
  // a depthwise kernel [h, w, in, multiplier] makes in·multiplier channels
  const kernel = last.depthwise
    ? tf.mul(last.kernel, tf.reshape(scale, [1, 1, last.kernel.shape[2]!, out]))
    : tf.mul(last.kernel, scale);
  const bias = tf.add(last.bias ? tf.mul(last.bias, scale) : tf.zeros(scale.shape), shift);
  return [...maps.slice(0, -1), { ...last, kernel, bias }];
}

type Sym = tf.SymbolicTensor;
interface Node {
  inboundLayers: tf.layers.Layer[];
  inputTensors: Sym[];
}
const nodesOf = (layer: tf.layers.Layer) => (layer as unknown as { inboundNodes: Node[] }).inboundNodes;
const outboundOf = (layer: tf.layers.Layer) => (layer as unknown as { outboundNodes: unknown[] }).outboundNodes;

/**
 * Facts about the graph that the rules need: which linear layers read the model input (through shape-only
 * layers; they get the composite's input rule) and which batch norms fold into the linear layer before them.
 */
export function analyseGraph(model: tf.LayersModel): {
  inputLayers: Set<string>;
  folds: Map<string, tf.layers.Layer>;
  folded: Set<string>;
} {
  const inputLayers = new Set<string>();
  const folds = new Map<string, tf.layers.Layer>();
  const folded = new Set<string>();
  const shapeOnly = new Set([
    "Flatten",
    "Reshape",
    "Dropout",
    "SpatialDropout1D",
    "GaussianDropout",
    "AlphaDropout",
    "InputLayer",
  ]);

  const walk = (m: tf.LayersModel, inputFacing: boolean) => {
    const facing = new Map<string, boolean>();
    const isFacing = (s: Sym): boolean => {
      const layer = s.sourceLayer as tf.layers.Layer;
      if (layer.getClassName() === "InputLayer") return inputFacing;
      if (facing.has(layer.name)) return facing.get(layer.name)!;
      const node = nodesOf(layer)[s.nodeIndex];
      const result = shapeOnly.has(layer.getClassName()) && node.inputTensors.every(isFacing);
      facing.set(layer.name, result);
      return result;
    };
    for (const layer of m.layers) {
      const node = nodesOf(layer).find((n) => n.inputTensors.length > 0);
      if (!node) continue;
      const readsInput = node.inputTensors.some(isFacing);
      if (isModel(layer)) {
        walk(layer, readsInput);
        continue;
      }
      if (readsInput && LINEAR_CLASSES.has(layer.getClassName()) && layer.getClassName() !== "BatchNormalization")
        inputLayers.add(layer.name);
      if (layer.getClassName() === "BatchNormalization" && node.inboundLayers.length === 1) {
        const before = node.inboundLayers[0];
        const foldable =
          ["Dense", "Conv2D", "DepthwiseConv2D", "SeparableConv2D"].includes(before.getClassName()) &&
          (activationName(before) ?? "linear") === "linear" &&
          outboundOf(before).length === 1;
        if (foldable) {
          folds.set(before.name, layer);
          folded.add(layer.name);
        }
      }
    }
  };
  walk(model, true);
  return { inputLayers, folds, folded };
}
