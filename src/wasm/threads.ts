import * as tf from "@tensorflow/tfjs";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Multithreaded wasm (tfjs-backend-wasm's threaded SIMD build, XNNPACK on a pthread pool) in Node.
 * tfjs turns it off in Node (WASM_HAS_MULTITHREAD_SUPPORT is false there) because its loader hands
 * Emscripten blob: URLs, which Node's worker_threads cannot start. Three shims make it work:
 *  - `Worker` (which Emscripten's pthreads use) becomes worker_threads.Worker started from a real file
 *    holding the worker script, and its "load" message gets the module's file path instead of a Blob;
 *  - the flag is forced on and the thread count set before the backend starts;
 *  - the workers never hold the process open (the pool's threads live as long as it);
 *  - while the module starts, os.cpus() reports enough cores: the module sizes its pool as
 *    min(requested, cpus / 2) (it assumes two hyperthreads per core).
 * On by default with one thread per available core (XNNPACK's convolutions scale with cores; see the
 * bench); DEEPVIZ_WASM_THREADS=<count> chooses another count, 1 turns threads off.
 */
let requested = 1;
const MAX_THREADS = 16;

/** The pool size: DEEPVIZ_WASM_THREADS when it is a positive integer, else the cores this process may use. */
export function requestedWasmThreads(): number {
  const raw = process.env.DEEPVIZ_WASM_THREADS?.trim();
  const n = raw ? Number(raw) : availableCores();
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_THREADS) : 1;
}

function availableCores(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

/** Call just before tf.setBackend("wasm"); returns the function to call right after it. */
export function prepareWasmThreads(count = requestedWasmThreads()): () => void {
  requested = count;
  if (count <= 1) return () => {};
  const wasm = require("@tensorflow/tfjs-backend-wasm") as { setThreadsCount(n: number): void };
  const dir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js"));
  const moduleFile = path.join(dir, "tfjs-backend-wasm-threaded-simd.js");
  // the same escaping tfjs applies before making its blob
  const script = (
    require(path.join(dir, "tfjs-backend-wasm-threaded-simd.worker.js")) as { wasmWorkerContents: string }
  ).wasmWorkerContents.replace(/\n/g, "\\n");
  const workerFile = path.join(os.tmpdir(), `deepviz-tfjs-wasm-${tf.version.tfjs}-worker.js`);
  if (!fs.existsSync(workerFile) || fs.readFileSync(workerFile, "utf8") !== script) fs.writeFileSync(workerFile, script);

  const { Worker: NodeWorker } = require("worker_threads") as typeof import("worker_threads");
  class FileWorker extends NodeWorker {
    constructor(url: string | URL, options?: import("worker_threads").WorkerOptions) {
      super(String(url).startsWith("blob:") ? workerFile : url, options);
      this.unref();
    }
    // Emscripten refs a worker while its pthread runs, and the pool's threads run forever, which
    // would keep Node from exiting. They only work while the main thread waits on them: never ref.
    override ref(): void {}
    override postMessage(message: unknown, transfer?: readonly import("worker_threads").TransferListItem[]): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
      if (m && m.cmd === "load" && typeof m.urlOrBlob !== "string") message = { ...m, urlOrBlob: moduleFile };
      super.postMessage(message, transfer);
    }
  }
  // Emscripten assigns global.Worker = worker_threads.Worker on start; keep ours instead
  Object.defineProperty(globalThis, "Worker", { get: () => FileWorker, set: () => {}, configurable: true });

  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(count);
  const osModule = require("os") as { cpus: typeof os.cpus };
  const cpus = osModule.cpus;
  osModule.cpus = () => {
    const real = cpus();
    return Array.from({ length: Math.max(real.length, 2 * count) }, (_, i) => real[i % real.length]!);
  };
  return () => {
    osModule.cpus = cpus;
  };
}

/** Threads XNNPACK uses on the running wasm backend (1 when single-threaded). */
export function wasmThreads(): number {
  if (requested <= 1) return 1;
  try {
    return (require("@tensorflow/tfjs-backend-wasm") as { getThreadsCount(): number }).getThreadsCount();
  } catch {
    return 1;
  }
}
