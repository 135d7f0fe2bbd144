import * as tf from "@tensorflow/tfjs";

/** Benchmark models with random weights, built with tf.layers as users build theirs. */
export interface BenchModel {
  name: string;
  model: tf.LayersModel;
  inputShape: number[];
  /** Occlusion window (square, non-overlapping) sized so the run stays short. */
  occlusionWindow: number;
  /** Last convolution, for Grad-CAM. */
  camLayer: string;
  /** VGG16 gets fewer repetitions and estimated stock IG/SmoothGrad. */
  heavy: boolean;
}

/** VGG16's shape: 13 3×3 convolutions (fused ReLU), 5 max pools, dense 4096-4096-1000 softmax. */
export function vgg16(): BenchModel {
  const m = tf.sequential();
  const blocks = [
    [64, 64],
    [128, 128],
    [256, 256, 256],
    [512, 512, 512],
    [512, 512, 512],
  ];
  let first = true;
  blocks.forEach((block, b) => {
    block.forEach((filters, i) => {
      m.add(
        tf.layers.conv2d({
          filters,
          kernelSize: 3,
          padding: "same",
          activation: "relu",
          name: `block${b + 1}_conv${i + 1}`,
          ...(first ? { inputShape: [224, 224, 3] } : {}),
        }),
      );
      first = false;
    });
    m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }));
  });
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 4096, activation: "relu" }));
  m.add(tf.layers.dense({ units: 4096, activation: "relu" }));
  m.add(tf.layers.dense({ units: 1000, activation: "softmax" }));
  return {
    name: "VGG16 (224×224×3)",
    model: m,
    inputShape: [224, 224, 3],
    occlusionWindow: 112,
    camLayer: "block5_conv3",
    heavy: true,
  };
}

/** An MNIST-size CNN like the lessons train: conv-conv-pool-dense. */
export function smallCnn(): BenchModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: "relu" }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu", name: "last_conv" }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 128, activation: "relu" }));
  m.add(tf.layers.dense({ units: 10, activation: "softmax" }));
  return {
    name: "small CNN (28×28×1)",
    model: m,
    inputShape: [28, 28, 1],
    occlusionWindow: 4,
    camLayer: "last_conv",
    heavy: false,
  };
}

/** A MobileNet-style net: strided and depthwise convolutions, batch norm, average pool, GAP. */
export function mobileNetStyle(): BenchModel {
  const input = tf.input({ shape: [96, 96, 3] });
  let h = tf.layers
    .conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: "same", useBias: false })
    .apply(input) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
  h = tf.layers.reLU().apply(h) as tf.SymbolicTensor;
  for (const [filters, strides] of [
    [64, 1],
    [128, 2],
    [128, 1],
    [256, 2],
    [256, 1],
  ] as const) {
    h = tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: "same", useBias: false }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
    h = tf.layers.reLU().apply(h) as tf.SymbolicTensor;
    h = tf.layers.conv2d({ filters, kernelSize: 1, useBias: false }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
    h = tf.layers
      .activation({ activation: "relu", name: filters === 256 && strides === 1 ? "last_block" : undefined })
      .apply(h) as tf.SymbolicTensor;
  }
  h = tf.layers.averagePooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 100, activation: "softmax" }).apply(h) as tf.SymbolicTensor;
  return {
    name: "MobileNet-style (96×96×3)",
    model: tf.model({ inputs: input, outputs: out }),
    inputShape: [96, 96, 3],
    occlusionWindow: 16,
    camLayer: "last_block",
    heavy: false,
  };
}
