import * as tf from "@tensorflow/tfjs";
import * as fs from "fs";
import * as path from "path";
import { DeepVizError, fail } from "../errors";
import { backend } from "../backend";
import { isGraphArtifacts, loadModelFile } from "../zoo/files";
import { graphInfo, selectOutput } from "./graph";
import { isGraphModel, Model } from "./kind";

export interface LoadModelOptions {
  /** For a GraphModel with several outputs: the one to explain, by node name or index into model.outputs. */
  output?: string | number;
}

/**
 * Loads a LayersModel or a GraphModel (tensorflowjs_converter's default output) from a model.json
 * path or folder, an http(s)/file URL, in-memory artifacts (tf.io.ModelArtifacts or an IOHandler), or
 * takes a loaded tf.GraphModel / tf.LayersModel as is. Weights files are read relative to model.json.
 */
export async function loadModel(
  source: string | tf.io.ModelArtifacts | tf.io.IOHandler | Model,
  options: LoadModelOptions = {},
): Promise<Model> {
  await backend();
  let model: Model;
  try {
    model = await loadAny(source);
  } catch (e) {
    if (e instanceof DeepVizError) throw e;
    throw new DeepVizError(
      `could not load a model from ${typeof source === "string" ? source : "artifacts"}: ${(e as Error).message}`,
    );
  }
  const given = source === model;
  try {
    if (options.output !== undefined) {
      if (!isGraphModel(model))
        fail("the output option chooses among a GraphModel's outputs; a LayersModel here has one output.");
      return selectOutput(model, options.output);
    }
    if (isGraphModel(model)) graphInfo(model); // fail now, not at the first method, on graphs DeepViz cannot run
    return model;
  } catch (e) {
    if (!given) model.dispose(); // what we loaded and cannot hand out is freed; the caller's own model is theirs
    throw e;
  }
}

async function loadAny(source: string | tf.io.ModelArtifacts | tf.io.IOHandler | Model): Promise<Model> {
  if (source instanceof tf.GraphModel || isGraphModel(source)) return source as tf.GraphModel;
  if (source instanceof tf.LayersModel) return source;
  if (typeof source !== "string") {
    const handler =
      "load" in source && typeof source.load === "function" ? source : tf.io.fromMemory(source as tf.io.ModelArtifacts);
    const artifacts = await (handler as tf.io.IOHandler).load!();
    const again = { load: async () => artifacts };
    return isGraphArtifacts(artifacts) ? tf.loadGraphModel(again) : tf.loadLayersModel(again);
  }
  if (/^https?:\/\//.test(source)) return loadUrl(source);
  const file = source.startsWith("file://") ? source.slice("file://".length) : source;
  const jsonPath = fs.existsSync(file) && fs.statSync(file).isDirectory() ? path.join(file, "model.json") : file;
  if (!fs.existsSync(jsonPath))
    throw new DeepVizError(`no model at ${jsonPath}: expected a tfjs model.json with its weight files beside it.`);
  return loadModelFile(jsonPath);
}

/** An http(s) model.json: read its format first, then load it as that kind. */
async function loadUrl(url: string): Promise<Model> {
  const response = await fetch(url);
  if (!response.ok) fail(`fetching ${url} failed with HTTP ${response.status} ${response.statusText}.`);
  const json = (await response.json()) as { format?: string; modelTopology?: { node?: unknown } };
  const graph = json.format === "graph-model" || Array.isArray(json.modelTopology?.node);
  return graph ? tf.loadGraphModel(url) : tf.loadLayersModel(url);
}
