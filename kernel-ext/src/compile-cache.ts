/**
 * V8's code cache for the huge file every kernel start loads: TypeScript's 9 MB compiler, which costs
 * about 0.55 s to compile and 0.2 s from the cache here. Node 22 has `module.enableCompileCache()`;
 * Node 20 has not, so this does the same for that file through `vm.Script`'s `cachedData`.
 * The cache lives beside the package (`node_modules/.cache/deepviz-kernel/`), never in a shared
 * temporary folder: a planted cache would be code. V8 itself rejects a cache made for other source
 * or another V8, and a rejected or missing cache is written again. `DEEPVIZ_COMPILE_CACHE=0` turns it off.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import Module from "module";
import * as path from "path";
import * as vm from "vm";

type Compile = (this: NodeModule, content: string, filename: string) => unknown;
interface ModuleInternals {
  prototype: { _compile: Compile; require(id: string): unknown };
  wrap(code: string): string;
  _resolveFilename(request: string, parent: NodeModule, isMain: boolean, options?: unknown): string;
}

/**
 * Packages whose main file is cached: large (1–9 MB), loaded by the kernel or by a first `import "deepviz"`,
 * and free of dynamic `import()` (a vm.Script has no loader for it on Node 20).
 */
const CACHED_PACKAGES = [
  "@tslab/typescript-for-tslab",
  "@tensorflow/tfjs",
  "@tensorflow/tfjs-core",
  "@tensorflow/tfjs-layers",
  "@tensorflow/tfjs-converter",
  "@tensorflow/tfjs-backend-cpu",
  "@tensorflow/tfjs-backend-webgl",
  "@tensorflow/tfjs-backend-wasm",
  "@tensorflow/tfjs-data",
];
/** After this long the functions used at start are compiled too, so the cache holds them. */
const WRITE_AFTER_MS = 4000;

let installed = false;

export function useCompileCache(): void {
  if (installed || process.env.DEEPVIZ_COMPILE_CACHE === "0") return;
  installed = true;
  const files = new Set<string>();
  for (const pkg of CACHED_PACKAGES) {
    try {
      files.add(require.resolve(pkg));
    } catch {
      // not installed: nothing to cache
    }
  }
  const M = Module as unknown as ModuleInternals;
  const original = M.prototype._compile;
  M.prototype._compile = function (this: NodeModule, content: string, filename: string) {
    if (!files.has(filename)) return original.call(this, content, filename);
    return compileCached(M, this, content, filename);
  };
}

function compileCached(M: ModuleInternals, mod: NodeModule, content: string, filename: string): unknown {
  const cacheFile = cachePath(filename);
  let cachedData: Buffer | undefined;
  try {
    cachedData = cacheFile ? fs.readFileSync(cacheFile) : undefined;
  } catch {
    // no cache yet
  }
  const script = new vm.Script(M.wrap(content), { filename, cachedData });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    setTimeout(() => writeCache(cacheFile, script), WRITE_AFTER_MS).unref();
  }
  const moduleRequire = Object.assign((id: string) => M.prototype.require.call(mod, id), {
    resolve: (request: string, options?: unknown) => M._resolveFilename(request, mod, false, options),
    cache: require.cache,
    main: require.main,
  });
  const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
  return wrapper.call(mod.exports, mod.exports, moduleRequire, mod, filename, path.dirname(filename));
}

/** `<node_modules>/.cache/deepviz-kernel/<hash of path, version of the file, Node>.bin`; none outside node_modules. */
function cachePath(filename: string): string | undefined {
  const at = filename.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (at < 0) return undefined;
  const { size, mtimeMs } = fs.statSync(filename);
  const key = createHash("sha256")
    .update(`${filename}\0${size}\0${mtimeMs}\0${process.version}\0${process.arch}`)
    .digest("hex")
    .slice(0, 24);
  return path.join(filename.slice(0, at), "node_modules", ".cache", "deepviz-kernel", `${key}.bin`);
}

function writeCache(file: string, script: vm.Script): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, file); // readers never see half a file
  } catch {
    // a read-only install just goes without the cache
  }
}
