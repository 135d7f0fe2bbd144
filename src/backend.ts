import * as tf from "@tensorflow/tfjs";
import { DeepVizError } from "./errors";
import { prepareWasmThreads } from "./wasm/threads";

/**
 * Backend choice: the fastest installed of tfjs-node-gpu, tfjs-node, wasm, cpu. `DEEPVIZ_BACKEND`
 * (tensorflow | wasm | cpu) forces one. tfjs-node packages are optional installs, so they are
 * probed with require and skipped when absent.
 */
export type BackendName = "tensorflow" | "wasm" | "cpu";

const ORDER: BackendName[] = ["tensorflow", "wasm", "cpu"];
let ready: Promise<BackendName> | null = null;

/** Hooks that run once a backend is chosen (e.g. registering faster kernels for it). */
const onReady: Array<(name: BackendName) => void | Promise<void>> = [];
export function whenBackendReady(hook: (name: BackendName) => void | Promise<void>): void {
  onReady.push(hook);
}

function loadTensorflow(): boolean {
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      require(pkg);
      return true;
    } catch {
      // not installed (the usual case here): try the next one
    }
  }
  return false;
}

async function tryBackend(name: BackendName): Promise<boolean> {
  try {
    if (name === "tensorflow" && !loadTensorflow()) return false;
    if (name === "wasm")
      return await withoutNewProcessHandlers(async () => {
        require("@tensorflow/tfjs-backend-wasm");
        const restore = prepareWasmThreads();
        try {
          return await tf.setBackend(name);
        } finally {
          restore();
        }
      });
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/**
 * The wasm module installs process handlers that rethrow every unhandled rejection and exception,
 * which would take a notebook kernel down with them; keep the process's own handlers instead.
 */
async function withoutNewProcessHandlers<T>(run: () => Promise<T>): Promise<T> {
  const events = ["uncaughtException", "unhandledRejection"];
  const before = events.map((e) => process.listeners(e as "uncaughtException"));
  try {
    return await run();
  } finally {
    events.forEach((e, i) => {
      for (const l of process.listeners(e as "uncaughtException")) if (!before[i].includes(l)) process.removeListener(e, l);
    });
  }
}

async function choose(): Promise<BackendName> {
  const forced = process.env.DEEPVIZ_BACKEND?.trim().toLowerCase();
  if (forced) {
    if (!ORDER.includes(forced as BackendName)) {
      throw new DeepVizError(`DEEPVIZ_BACKEND="${forced}" is not a backend; use one of ${ORDER.join(", ")}.`);
    }
    if (!(await tryBackend(forced as BackendName))) {
      const hint = forced === "tensorflow" ? " Install @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu." : "";
      throw new DeepVizError(`DEEPVIZ_BACKEND="${forced}" could not be started.${hint}`);
    }
    return forced as BackendName;
  }
  for (const name of ORDER) if (await tryBackend(name)) return name;
  throw new DeepVizError("No TensorFlow.js backend could be started (tried tensorflow, wasm, cpu).");
}

/** Chooses the backend once (later calls reuse the choice) and says which one runs. */
export async function backend(): Promise<BackendName> {
  if (!ready) {
    ready = choose().then(async (name) => {
      await tf.ready();
      for (const hook of onReady) await hook(name);
      return name;
    });
    ready.catch(() => (ready = null));
  }
  return ready;
}

/**
 * Makes `name` the running backend now, started as `backend()` starts it and with the same ready hooks
 * (the library's wasm kernels), whatever was chosen before; returns the backend that ran until now.
 * For tests and benchmarks of one backend's kernels, so that they run there instead of skipping.
 */
export async function useBackend(name: BackendName): Promise<BackendName> {
  const previous = await backend();
  if (tf.getBackend() === name) return previous;
  if (!(await tryBackend(name))) throw new DeepVizError(`The ${name} backend could not be started.`);
  await tf.ready();
  ready = Promise.resolve(name);
  for (const hook of onReady) await hook(name);
  return previous;
}
