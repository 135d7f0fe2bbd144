import * as tf from "@tensorflow/tfjs";
import { existsSync, readFileSync } from "fs";
import { dirname, join, resolve } from "path";
import { backend } from "../backend";
import { fail } from "../errors";
import { PreprocessMode } from "../data/preprocess";
import { cacheDir, downloadModel } from "./cache";
import { loadLayersModelFile, loadModelFile } from "./files";
import { Model } from "../model/kind";
import { ShippedMeta } from "./meta";
import { GraphZooName, PRETRAINED_MODELS, SHIPPED_MODELS } from "./registry";

/** A model and what a lesson needs to use it. */
export interface ZooModel<M extends Model = tf.LayersModel> {
  name: string;
  /** A LayersModel (trained here), or a GraphModel for the real models converted elsewhere; every method takes both. */
  model: M;
  /** [height, width, channels] of one example. */
  inputShape: [number, number, number];
  classNames: string[];
  /** Apply with `dv.data.preprocess(image, preprocessing)` to images in [0, 1]. */
  preprocessing: PreprocessMode;
  /** Default layer for CAM-style methods, and every conv layer in order. */
  lastConvLayer: string;
  convLayers: string[];
  /** Test accuracy from the model card (shipped models only). */
  accuracy?: Record<string, number>;
  /** Where the weights came from. */
  source: "shipped" | "cache" | "download" | "file";
  /** The model.json that was loaded. */
  path: string;
}

export interface LoadOptions {
  /** Download from here instead of the registered URL (a mirror, a local server). */
  url?: string;
  /** Cache folder for downloaded models (default `cacheDir()`). */
  cacheDir?: string;
}

/** The package root (the folder with deepviz's package.json), from src/zoo or dist/src/zoo alike. */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "deepviz") return dir;
    if (dirname(dir) === dir) return fail("Could not find the deepviz package folder (with models/) above " + __dirname + ".");
  }
}

export function modelsDir(): string {
  return join(packageRoot(), "models");
}

function convLayerNames(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => /conv2d/i.test(l.getClassName())).map((l) => l.name);
}

function shapeOf(model: tf.LayersModel): [number, number, number] {
  const s = model.inputs[0].shape.slice(1);
  return [s[0] ?? -1, s[1] ?? -1, s[2] ?? -1];
}

/** Names `load` knows: the shipped models, then the pretrained ones (downloaded on first use). */
export function list(): Array<{ name: string; kind: "shipped" | "pretrained"; description: string }> {
  return [
    ...SHIPPED_MODELS.map((name) => {
      const card = join(modelsDir(), name, "README.md");
      const description = existsSync(card)
        ? (readFileSync(card, "utf8")
            .split("\n")
            .find((l) => l.trim() && !l.startsWith("#")) ?? "")
        : "";
      return { name, kind: "shipped" as const, description };
    }),
    ...Object.entries(PRETRAINED_MODELS).map(([name, e]) => ({ name, kind: "pretrained" as const, description: e.description })),
  ];
}

async function loadShipped(name: string): Promise<ZooModel<Model>> {
  const dir = join(modelsDir(), name);
  const path = join(dir, "model.json");
  if (!existsSync(path))
    fail(`The shipped model "${name}" has no weights at ${path}; train it with \`npm run train -- ${name}\`.`);
  const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")) as ShippedMeta;
  const model = await loadModelFile(path);
  return {
    name,
    model,
    inputShape: meta.inputShape,
    classNames: [...meta.classNames],
    preprocessing: meta.preprocessing,
    lastConvLayer: meta.lastConvLayer,
    convLayers: [...meta.convLayers],
    accuracy: meta.accuracy,
    source: "shipped",
    path,
  };
}

async function loadPretrained(name: string, options: LoadOptions): Promise<ZooModel> {
  const entry = PRETRAINED_MODELS[name];
  const dir = join(options.cacheDir ?? cacheDir(), name);
  let path = join(dir, "model.json");
  let source: ZooModel["source"] = "cache";
  if (!existsSync(path)) {
    path = await downloadModel(options.url ?? entry.url, dir, `"${name}"`);
    source = "download";
  }
  const model = await loadLayersModelFile(path);
  const convLayers = convLayerNames(model);
  return {
    name,
    model,
    inputShape: entry.inputShape,
    classNames: [...entry.classNames],
    preprocessing: entry.preprocessing,
    lastConvLayer: model.layers.some((l) => l.name === entry.lastConvLayer)
      ? entry.lastConvLayer
      : convLayers[convLayers.length - 1],
    convLayers,
    source,
    path,
  };
}

async function loadFile(path: string): Promise<ZooModel> {
  const model = await loadLayersModelFile(resolve(path));
  const convLayers = convLayerNames(model);
  const inputShape = shapeOf(model);
  const outputs = (model.outputs[0].shape[model.outputs[0].shape.length - 1] ?? 0) as number;
  return {
    name: path,
    model,
    inputShape,
    classNames: Array.from({ length: outputs }, (_, i) => String(i)),
    preprocessing: "0-1",
    lastConvLayer: convLayers[convLayers.length - 1] ?? "",
    convLayers,
    source: "file",
    path: resolve(path),
  };
}

/**
 * Loads a model by name: a shipped one (shapes_cnn, shapes_vgg, shapes_biased, mnist_cnn), a
 * pretrained one (mobilenet_v1, mobilenet_v1_025, mobilenet_v2: downloaded once, then read from the
 * cache), or any tfjs LayersModel from a model.json path.
 */
export async function load(name: GraphZooName, options?: LoadOptions): Promise<ZooModel<tf.GraphModel>>;
export async function load(name: string, options?: LoadOptions): Promise<ZooModel>;
export async function load(name: string, options: LoadOptions = {}): Promise<ZooModel<Model>> {
  await backend();
  if (typeof name !== "string" || !name) fail("zoo.load needs a model name or a model.json path.");
  if ((SHIPPED_MODELS as readonly string[]).includes(name)) return loadShipped(name);
  if (name in PRETRAINED_MODELS) return loadPretrained(name, options);
  if (name.endsWith(".json")) return loadFile(name);
  return fail(
    `Unknown model "${name}". Shipped: ${SHIPPED_MODELS.join(", ")}; pretrained (downloaded): ${Object.keys(PRETRAINED_MODELS).join(", ")}; or give a path to a model.json.`,
  );
}

/** The k most probable classes of one prediction (a [classes] or [1, classes] tensor). */
export function topClasses(
  probabilities: tf.Tensor,
  classNames: readonly string[],
  k = 5,
): Array<{ index: number; className: string; probability: number }> {
  const values = probabilities.dataSync();
  if (probabilities.size !== classNames.length)
    fail(
      `topClasses: ${probabilities.size} scores but ${classNames.length} class names; pass one prediction ([classes] or [1, classes]).`,
    );
  return Array.from(values, (p, index) => ({ index, className: classNames[index], probability: p }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
}
