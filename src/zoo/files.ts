import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { dirname, join, resolve } from "path";
import { fail } from "../errors";

/**
 * LayersModel artifacts on disk (model.json + weight shards) without tfjs-node, whose file:// handler
 * is the only one tfjs ships for Node.
 */
interface ModelJson {
  modelTopology: object;
  signature?: object;
  userDefinedMetadata?: { signature?: object };
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** Reads the model.json at `path` and its shards next to it into in-memory artifacts. */
export function readArtifacts(path: string): tf.io.ModelArtifacts {
  if (!existsSync(path)) fail(`No model file at ${path}: give the path of a tfjs model.json.`);
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as ModelJson;
  } catch (e) {
    return fail(`${path} is not valid JSON (${(e as Error).message}); a tfjs model.json was expected.`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    fail(`${path} has no modelTopology/weightsManifest: it is not a tfjs model.json (layers-model or graph-model).`);
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const shard of group.paths) {
      const file = resolve(dirname(path), shard);
      if (!existsSync(file)) fail(`Weight file ${file} named by ${path} is missing.`);
      buffers.push(readFileSync(file));
    }
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  // some converters put the signature under userDefinedMetadata
  const signature = json.signature ?? json.userDefinedMetadata?.signature;
  return {
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    ...(signature ? { signature } : {}),
  };
}

/** Whether artifacts hold a graph-model (a TensorFlow GraphDef: `node` list, or format "graph-model"). */
export function isGraphArtifacts(artifacts: tf.io.ModelArtifacts): boolean {
  const topology = artifacts.modelTopology as { node?: unknown } | undefined;
  return artifacts.format === "graph-model" || Array.isArray(topology?.node);
}

/** Loads a LayersModel or a GraphModel from a model.json path on disk, whichever it holds. */
export async function loadModelFile(path: string): Promise<tf.LayersModel | tf.GraphModel> {
  const artifacts = readArtifacts(path);
  const handler = { load: async () => artifacts };
  return isGraphArtifacts(artifacts) ? tf.loadGraphModel(handler) : tf.loadLayersModel(handler);
}

/** Loads a LayersModel from a model.json path on disk. */
export async function loadLayersModelFile(path: string): Promise<tf.LayersModel> {
  const artifacts = readArtifacts(path);
  if (isGraphArtifacts(artifacts)) fail(`${path} is a tfjs GraphModel; load it with dv.loadModel, which takes both kinds.`);
  return tf.loadLayersModel({ load: async () => artifacts });
}

/** Saves `model` as `dir/model.json` + `dir/weights.bin` (one shard). */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData as ArrayBuffer;
      writeFileSync(join(dir, "weights.bin"), Buffer.from(data));
      const json = {
        format: "layers-model",
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, "model.json"), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON", weightDataBytes: data.byteLength } };
    }),
  );
}
