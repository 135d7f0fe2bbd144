import * as tf from "@tensorflow/tfjs";

/**
 * The networks behind the shipped models, built from a seed (seeded initializers, no dropout) so that
 * `npm run train -- NAME` gives the same weights every time on the same backend.
 */
function seeded(seed: number, layer: number) {
  return { kernelInitializer: tf.initializers.heNormal({ seed: seed * 1000 + layer }), biasInitializer: "zeros" as const };
}

const conv = (name: string, filters: number, seed: number, index: number, extra: object = {}) =>
  tf.layers.conv2d({ name, filters, kernelSize: 3, padding: "same", activation: "relu", ...seeded(seed, index), ...extra });

/**
 * Small CNN ending in global average pooling then one dense layer: the structure class activation
 * mapping (CAM) needs. Three blocks of two 3×3 conv layers (8, 16, 32 filters), max pooling between
 * blocks; last conv layer "conv6" at 1/4 of the input size (16×16 for 64×64 images).
 */
export function gapCnn(inputShape: [number, number, number], classes: number, seed = 1): tf.LayersModel {
  const model = tf.sequential({ name: "gap_cnn" });
  const widths = [8, 8, 16, 16, 32, 32];
  widths.forEach((filters, i) => {
    model.add(conv(`conv${i + 1}`, filters, seed, i + 1, i === 0 ? { inputShape } : {}));
    if (i === 1 || i === 3) model.add(tf.layers.maxPooling2d({ name: `pool${(i + 1) / 2}`, poolSize: 2 }));
  });
  model.add(tf.layers.globalAveragePooling2d({ name: "gap" }));
  model.add(
    tf.layers.dense({
      name: "predictions",
      units: classes,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + 7 }),
    }),
  );
  return model;
}

/**
 * VGG-style network: 4 blocks of 2 conv layers (8 in all) with max pooling after each block, then a
 * small dense head. Layer names follow Keras' VGG16 (block1_conv1 ... block4_conv2, block4_pool).
 */
export function vggStyle(inputShape: [number, number, number], classes: number, seed = 1): tf.LayersModel {
  const model = tf.sequential({ name: "vgg_style" });
  const widths = [8, 16, 32, 32];
  let index = 0;
  widths.forEach((filters, b) => {
    for (let c = 1; c <= 2; c++) {
      index++;
      model.add(conv(`block${b + 1}_conv${c}`, filters, seed, index, index === 1 ? { inputShape } : {}));
    }
    model.add(tf.layers.maxPooling2d({ name: `block${b + 1}_pool`, poolSize: 2 }));
  });
  model.add(tf.layers.flatten({ name: "flatten" }));
  model.add(tf.layers.dense({ name: "fc1", units: 64, activation: "relu", ...seeded(seed, ++index) }));
  model.add(
    tf.layers.dense({
      name: "predictions",
      units: classes,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + ++index }),
    }),
  );
  return model;
}

/** Small MNIST CNN: two conv+pool stages, then a dense head. Last conv layer "conv2" (7×7 after pool). */
export function mnistCnn(seed = 1): tf.LayersModel {
  const model = tf.sequential({ name: "mnist_cnn" });
  model.add(conv("conv1", 16, seed, 1, { inputShape: [28, 28, 1] }));
  model.add(tf.layers.maxPooling2d({ name: "pool1", poolSize: 2 }));
  model.add(conv("conv2", 32, seed, 2));
  model.add(tf.layers.maxPooling2d({ name: "pool2", poolSize: 2 }));
  model.add(tf.layers.flatten({ name: "flatten" }));
  model.add(tf.layers.dense({ name: "fc1", units: 64, activation: "relu", ...seeded(seed, 3) }));
  model.add(
    tf.layers.dense({
      name: "predictions",
      units: 10,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + 4 }),
    }),
  );
  return model;
}
