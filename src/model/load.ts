import * as tf from "@tensorflow/tfjs";
import * as fs from "fs";
import * as path from "path";
import { DeepVizError } from "../errors";
import { backend } from "../backend";
import { loadLayersModelFile } from "../zoo/files";

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
    return await loadLayersModelFile(jsonPath);
  } catch (e) {
    if (e instanceof DeepVizError) throw e;
    throw new DeepVizError(`could not load a LayersModel from ${typeof source === "string" ? source : "artifacts"}: ${(e as Error).message}`);
  }
}
