/**
 * Gradient bench (run by `npm run bench`, or alone: `node dist/bench/gradients.js`): times the attribution methods on the default backend with the library's kernels,
 * against stock tfjs kernels on the same backend and against one plain forward pass, all measured in
 * this run. Flags: --quick (skip VGG16), --no-stock (skip the stock references),
 * --models=small,mobile,vgg and --methods=saliency,integrated,... (name prefixes) to run a subset.
 */
import * as tf from "@tensorflow/tfjs";
import * as dv from "../src";
import { fastKernelsOn, useFastKernels } from "../src/wasm";
import { wasmThreads } from "../src/wasm/threads";
import { forward } from "../src/model/interpreter";
import { fmtMs, fmtX, measure, Measurement, table } from "./measure";
import { BenchModel, mobileNetStyle, smallCnn, vgg16 } from "./models";

const TARGET = 3;
const args = new Set(process.argv.slice(2));
const listArg = (name: string) =>
  process.argv
    .find((a) => a.startsWith(`--${name}=`))
    ?.split("=")[1]
    ?.split(",");
const onlyMethods = listArg("methods");

interface Method {
  name: string;
  run: () => Promise<void>;
  /** For VGG16 the stock reference runs a shorter version and scales it (stated in the output). */
  stock?: { run: () => Promise<void>; scale: number; note: string } | "skip";
}

const done = async (p: Promise<dv.Attribution>) => (await p).dispose();

/** Per-method settings for the bench: the work counts it reports, and cheaper stock runs on VGG16 (scaled). */
const SETTINGS: Record<
  string,
  {
    options: (bm: BenchModel) => object;
    note: (bm: BenchModel) => string;
    heavyStock?: { options: object; scale: number; note: string } | "skip";
  }
> = {
  integratedGradients: {
    options: () => ({ steps: 50 }),
    note: () => "50 steps",
    heavyStock: { options: { steps: 2 }, scale: 25, note: "2 steps × 25" },
  },
  smoothGrad: {
    options: () => ({ samples: 25 }),
    note: () => "25 samples",
    heavyStock: { options: { samples: 2 }, scale: 12.5, note: "2 samples × 12.5" },
  },
  occlusion: {
    options: (bm) => ({ window: bm.occlusionWindow }),
    note: (bm) => `${bm.occlusionWindow}×${bm.occlusionWindow} windows`,
    heavyStock: "skip",
  },
  scoreCam: { options: () => ({}), note: () => "", heavyStock: "skip" },
};

/** Every registered method (dv.listMethods()), with the options its row states. */
function methodsFor(bm: BenchModel, x: tf.Tensor): Method[] {
  const m = bm.model;
  const rows: Method[] = [
    { name: "forward (interpreter)", run: async () => tf.tidy(() => void forward(m, x).output.dataSync()), stock: "skip" },
  ];
  for (const spec of dv.listMethods()) {
    const setting = SETTINGS[spec.name];
    const options = (extra: object = {}) => ({
      ...spec.defaults?.(m, x),
      target: TARGET,
      ...(spec.needsLayer ? { layer: bm.camLayer } : {}),
      ...setting?.options(bm),
      ...extra,
      progress: false,
    });
    const run = (extra?: object) => () => done(spec.run(m, x, options(extra)));
    const note = setting?.note(bm);
    const hs = setting?.heavyStock;
    rows.push({
      name: spec.name + (note ? `, ${note}` : ""),
      run: run(),
      stock: !bm.heavy || !hs ? undefined : hs === "skip" ? "skip" : { run: run(hs.options), scale: hs.scale, note: hs.note },
    });
  }
  return rows;
}

interface Row {
  name: string;
  ours: Measurement;
  stock?: Measurement;
  stockNote?: string;
  stockError?: string;
}

async function benchModel(bm: BenchModel): Promise<Row[]> {
  const x = tf.randomUniform([1, ...bm.inputShape]);
  const reps = bm.heavy ? 1 : 5;
  const plain = await measure(async () => tf.tidy(() => void (bm.model.predict(x) as tf.Tensor).dataSync()), bm.heavy ? 2 : 10);
  const rows: Row[] = [{ name: "plain forward (model.predict)", ours: plain }];
  const methods = methodsFor(bm, x).filter((m) => !onlyMethods || onlyMethods.some((p) => m.name.startsWith(p)));
  for (const method of methods) {
    // VGG16: one warm-up (saliency's) serves every gradient method
    const warm = !bm.heavy || method.name === "saliency" || method.name.startsWith("forward");
    // VGG16: the single-gradient methods get 3 repetitions (a lone run is at the mercy of other processes)
    const single =
      dv.listMethods().some((s) => s.cost === "one-pass" && method.name === s.name) || method.name.startsWith("forward");
    try {
      rows.push({ name: method.name, ours: await measure(method.run, bm.heavy && single ? 3 : reps, warm) });
    } catch (e) {
      // e.g. CAM on a model without a GAP head: the row says why
      rows.push({
        name: `${method.name}: ${String((e as Error).message ?? e)
          .split(";")[0]!
          .slice(0, 70)}`,
        ours: { ms: NaN, medianMs: NaN, cpuMs: NaN, peakMB: NaN },
      });
      continue;
    }
    process.stderr.write(`  ${bm.name}: ${method.name} ${fmtMs(rows[rows.length - 1]!.ours.ms)}\n`);
  }
  if (!args.has("--no-stock")) {
    useFastKernels(false);
    try {
      for (const [i, method] of methods.entries()) {
        const row = rows[i + 1]!;
        if (method.stock === "skip" || Number.isNaN(row.ours.ms)) continue;
        const run = method.stock?.run ?? method.run;
        try {
          const m = await measure(run, 1, !bm.heavy);
          const scale = method.stock?.scale ?? 1;
          row.stock = { ms: m.ms * scale, medianMs: m.medianMs * scale, cpuMs: m.cpuMs * scale, peakMB: m.peakMB };
          row.stockNote = method.stock?.note;
        } catch (e) {
          row.stockError = String((e as Error).message ?? e)
            .split("\n")[0]!
            .slice(0, 60);
        }
        process.stderr.write(`  ${bm.name}: stock ${method.name} ${row.stockError ?? fmtMs(row.stock?.ms)}\n`);
      }
    } finally {
      useFastKernels(true);
    }
  }
  x.dispose();
  return rows;
}

function report(bm: BenchModel, rows: Row[]): string {
  const forwardCpu = rows[0]!.ours.cpuMs;
  const body = rows.map((r) => [
    r.name,
    fmtMs(r.ours.cpuMs),
    fmtMs(r.ours.ms),
    r.stockError ? `fails: ${r.stockError}` : fmtMs(r.stock?.cpuMs) + (r.stockNote ? ` (${r.stockNote})` : ""),
    r.stock ? fmtX(r.stock.cpuMs / r.ours.cpuMs) : "—",
    fmtX(r.ours.cpuMs / forwardCpu),
    Number.isNaN(r.ours.peakMB) ? "—" : r.ours.peakMB.toFixed(0),
    r.stock ? r.stock.peakMB.toFixed(0) : "—",
  ]);
  return (
    `\n## ${bm.name}\n` +
    table(["method", "deepviz CPU", "(wall)", "stock tfjs CPU", "speed-up", "× forward", "peak MB", "stock peak MB"], body)
  );
}

export async function main(): Promise<void> {
  const name = await dv.backend();
  const header = [
    `# deepviz bench — backend ${name}, tfjs ${tf.version.tfjs}, node ${process.version}, ${require("os").cpus().length} cores`,
    `library kernels: ${fastKernelsOn() ? "on" : "off"}; wasm threads: ${name === "wasm" ? wasmThreads() : "n/a"}`,
    "times: best of the repetitions (VGG16: 3 for one-gradient methods, else one run), as CPU time of this process (other processes on a shared machine",
    "stretch wall time, shown in brackets, but not CPU time); ratios use CPU time. stock = the same method with tfjs's",
    "own kernels on the same backend; × forward = time ÷ one plain forward pass (model.predict);",
    "peak MB = peak tensor bytes the call adds (tf.profile)",
  ];
  console.log(header.join("\n"));
  const byName = { small: smallCnn, mobile: mobileNetStyle, vgg: vgg16 };
  const chosen = listArg("models") ?? ["small", "mobile", ...(args.has("--quick") ? [] : ["vgg"])];
  const models = chosen.map((n) => byName[n as keyof typeof byName]).filter((m) => m);
  const summary: string[] = [];
  for (const make of models) {
    const bm = make();
    const rows = await benchModel(bm);
    console.log(report(bm, rows));
    const sal = rows.find((r) => r.name === "saliency");
    const ig = rows.find((r) => r.name.startsWith("integrated"));
    if (sal)
      summary.push(
        `${bm.name}: saliency ${fmtX(sal.stock ? sal.stock.cpuMs / sal.ours.cpuMs : undefined)} faster than stock` +
          (ig ? `; IG (50 steps) = ${fmtX(ig.ours.cpuMs / sal.ours.cpuMs)} one saliency` : ""),
      );
    bm.model.dispose();
  }
  const heapMB = ((tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.byteLength ?? 0) / 2 ** 20;
  console.log(`\n## summary\n${summary.join("\n")}`);
  console.log(
    `wasm heap at the end: ${heapMB.toFixed(0)} MB; process peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
