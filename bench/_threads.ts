import * as tf from "@tensorflow/tfjs";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Worker as NodeWorker } from "worker_threads";

const dir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js"));
const mainJs = path.join(dir, "tfjs-backend-wasm-threaded-simd.js");
const workerJs = path.join(os.tmpdir(), "deepviz-wasm-worker.js");
fs.writeFileSync(workerJs, require(path.join(dir, "tfjs-backend-wasm-threaded-simd.worker.js")).wasmWorkerContents.replace(/\n/g, "\\n"));
class Shim extends NodeWorker {
  constructor(url: string | URL, opts?: object) { super(String(url).startsWith("blob:") ? workerJs : url, opts); }
  override postMessage(msg: any, transfer?: any) {
    if (msg && msg.cmd === "load" && typeof msg.urlOrBlob !== "string") msg = { ...msg, urlOrBlob: mainJs };
    super.postMessage(msg, transfer);
  }
}
Object.defineProperty(globalThis, "Worker", { get: () => Shim, set: () => {}, configurable: true });

async function main() {
  const n = Number(process.argv[2] ?? 2);
  if (n > 0) { tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true); wasm.setThreadsCount(n); }
  const osm = require("os"); const cpus = osm.cpus; osm.cpus = () => { const c = cpus(); return [...c, ...c]; };
  await tf.setBackend("wasm"); await tf.ready();
  osm.cpus = cpus;
  console.log("threads", wasm.getThreadsCount());
  const x = tf.randomNormal([1, 56, 56, 256]) as tf.Tensor4D, w = tf.randomNormal([3, 3, 256, 256]) as tf.Tensor4D;
  tf.conv2d(x, w, 1, "same").dispose();
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) tf.conv2d(x, w, 1, "same").dataSync();
  console.log("conv ms", ((performance.now() - t0) / 5).toFixed(1));
  const y1 = tf.conv2d(x, w, 1, "same").dataSync()[123];
  console.log("value", y1);
}
main().catch((e) => { console.error("FAILED", e); process.exit(1); });
