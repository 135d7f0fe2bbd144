import * as tf from "@tensorflow/tfjs";
import * as fs from "fs";
import * as path from "path";
import { DeepVizError } from "../errors";
import { backend } from "../backend";

/**
 * Loads a LayersModel from a model.json path, an http(s)/file URL, or in-memory artifacts
 * (tf.io.ModelArtifacts or an IOHandler). Weights files are read relative to model.json.
 */
export async function loadModel(source: string | tf.io.ModelArtifacts | tf.io.IOHandler): Promise<tf.LayersModel> {
  await backend();
  try {
    if (typeof source !== "string") {
      const handler = "load" in source && typeof source.load === "function" ? source : tf.io.fromMemory(source as tf.io.ModelArtifacts);
      return await tf.loadLayersModel(handler as tf.io.IOHandler);
    }
    if (/^https?:\/\//.test(source)) return await tf.loadLayersModel(source);
    const file = source.startsWith("file://") ? source.slice("file://".length) : source;
    const jsonPath = fs.existsSync(file) && fs.statSync(file).isDirectory() ? path.join(file, "model.json") : file;
    if (!fs.existsSync(jsonPath)) throw new DeepVizError(`no model at ${jsonPath}: expected a tfjs model.json with its weight files beside it.`);
    return await tf.loadLayersModel(fileHandler(jsonPath));
  } catch (e) {
    if (e instanceof DeepVizError) throw e;
    throw new DeepVizError(`could not load a LayersModel from ${typeof source === "string" ? source : "artifacts"}: ${(e as Error).message}`);
  }
}

/** Reads model.json and its weight shards from disk (tfjs's file:// handler needs tfjs-node). */
function fileHandler(jsonPath: string): tf.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(fs.readFileSync(jsonPath, "utf8")) as tf.io.ModelJSON;
      const dir = path.dirname(jsonPath);
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest ?? []) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? undefined,
        trainingConfig: json.trainingConfig,
        userDefinedMetadata: json.userDefinedMetadata,
      };
    },
  };
}
