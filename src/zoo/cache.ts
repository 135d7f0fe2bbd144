import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "fs";
import { homedir } from "os";
import { join } from "path";
import { fail } from "../errors";

/** Where downloaded models live: $DEEPVIZ_CACHE, else ~/.cache/deepviz/models. */
export function cacheDir(): string {
  return process.env.DEEPVIZ_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "deepviz", "models");
}

async function get(url: string, what: string, seconds: number): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(seconds * 1000) });
  } catch (e) {
    const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (e as Error).message;
    return fail(
      `Could not download ${what} from ${url} (${reason}). This machine may be offline or the address unreachable: ` +
        "connect to the network, or put the model.json and its weight files in the cache folder yourself, or pass { url } pointing to a reachable copy.",
    );
  }
  if (!response.ok) fail(`Downloading ${what} from ${url} failed with HTTP ${response.status} ${response.statusText}.`);
  return response;
}

/**
 * Downloads a tfjs LayersModel (model.json and every weight shard it names, resolved against its URL)
 * into `dir`, all or nothing: files land in a temporary folder that is renamed into place at the end,
 * so an interrupted download never leaves a half model in the cache. Returns the cached model.json path.
 */
export async function downloadModel(url: string, dir: string, what = "the model"): Promise<string> {
  const json = await (await get(url, what, 60)).text();
  let manifest: { weightsManifest?: Array<{ paths: string[] }>; format?: string };
  try {
    manifest = JSON.parse(json);
  } catch {
    return fail(`${url} did not return JSON; it is not a tfjs model.json.`);
  }
  if (manifest.format === "graph-model")
    fail(`${url} is a tfjs GraphModel; DeepViz explains LayersModels (layer by layer) only.`);
  if (!Array.isArray(manifest.weightsManifest)) fail(`${url} has no weightsManifest; it is not a tfjs LayersModel model.json.`);
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    for (const group of manifest.weightsManifest!) {
      for (const shard of group.paths) {
        if (shard.includes("..") || shard.startsWith("/"))
          fail(`${url} names a weight file outside its folder (${shard}); refusing to write it.`);
        const bytes = new Uint8Array(
          await (await get(new URL(shard, url).toString(), `${what} (weights ${shard})`, 600)).arrayBuffer(),
        );
        mkdirSync(join(partial, shard, ".."), { recursive: true });
        writeFileSync(join(partial, shard), bytes);
      }
    }
    writeFileSync(join(partial, "model.json"), json);
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  } finally {
    if (existsSync(partial)) rmSync(partial, { recursive: true, force: true });
  }
  return join(dir, "model.json");
}
