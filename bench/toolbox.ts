/**
 * Toolbox bench (run by `npm run bench`, or alone: `node dist/bench/toolbox.js`): time per call of LRP,
 * DeepLift, GradientShap, feature ablation, KernelSHAP, LIME and superpixels on a zoo LayersModel
 * (shapes_cnn, 224×224×3) and on the emotion GraphModel (64×64×1, a real face), each as a ratio to one
 * plain saliency measured in the same run. On emotion the same methods are written again in PyTorch CPU
 * (bench/toolbox_torch.py rebuilds the graph from its nodes and weights; Debian's python3-torch), and
 * the bench prints DeepViz's time over torch's and how far the two maps are apart.
 * Flags: --no-torch (skip the PyTorch reference), --models=shapes,emotion (a subset).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../src";
import { graphInfo, scoreNode } from "../src/model/graph";
import { fmtMs, fmtX, measure, table } from "./measure";

const REPS = 3;
const PYTHON = "/usr/bin/python3";
/** bench/ in the source tree, from dist/bench (npm run bench) or bench/ itself (tsx). */
const sourceDir = fs.existsSync(path.join(__dirname, "toolbox_torch.py")) ? __dirname : path.join(__dirname, "..", "..", "bench");
const GRADIENT_SHAP_SAMPLES = 50;

/** Square blocks of side/8: 64 feature groups, the same on both sides of the PyTorch comparison. */
function blocks(side: number): tf.Tensor2D {
  const b = side / 8;
  return tf.tensor2d(
    Array.from({ length: side * side }, (_, p) => Math.floor(Math.floor(p / side) / b) * 8 + Math.floor((p % side) / b)),
    [side, side],
    "int32",
  );
}

interface Row {
  name: string;
  run: () => Promise<tf.Tensor>;
  torch?: string;
  /** Seconds per call: timed once after the warm-up, to keep the bench short. */
  heavy?: boolean;
}

function rowsFor(model: dv.Model, x: tf.Tensor, target: number, mask: tf.Tensor): Row[] {
  const values = (p: Promise<dv.Attribution>) => async () => {
    const a = await p;
    const v = a.values.clone();
    a.dispose();
    return v;
  };
  const o = { target, progress: false };
  return [
    { name: "saliency", run: () => values(dv.saliency(model, x, o))(), torch: "saliency" },
    { name: "lrp (ε)", run: () => values(dv.lrp(model, x, o))(), torch: "lrp" },
    { name: "deepLift", run: () => values(dv.deepLift(model, x, o))(), torch: "deepLift" },
    {
      name: `gradientShap, ${GRADIENT_SHAP_SAMPLES} samples`,
      run: () => values(dv.gradientShap(model, x, { ...o, samples: GRADIENT_SHAP_SAMPLES }))(),
      torch: "gradientShap",
      heavy: true,
    },
    {
      name: "featureAblation, 64 blocks",
      run: () => values(dv.featureAblation(model, x, { ...o, featureMask: mask }))(),
      torch: "featureAblation",
    },
    {
      name: "kernelShap, 64 blocks, 256 coalitions",
      run: () => values(dv.kernelShap(model, x, { ...o, featureMask: mask }))(),
      heavy: true,
    },
    { name: "lime, 64 blocks, 256 samples", run: () => values(dv.lime(model, x, { ...o, featureMask: mask }))(), heavy: true },
    { name: "superpixels (SLIC, 50)", run: () => dv.superpixels(x) },
  ];
}

/** The graph's nodes, weights and the input for toolbox_torch.py. */
function graphSpec(model: tf.GraphModel, x: tf.Tensor, mask: tf.Tensor, target: number): object {
  const info = graphInfo(model);
  const weightMap = (model as unknown as { executor: { weightMap: Record<string, tf.Tensor[]> } }).executor.weightMap;
  const nodes = info.order
    .map((n) => info.nodes.get(n)!)
    .filter((n) => n.name !== info.input)
    .map((n) => ({
      name: n.name,
      op: n.op,
      inputs: n.inputNames,
      attrs: Object.fromEntries(Object.entries(n.attrParams).map(([k, v]) => [k, v.value])),
    }));
  const weights = Object.fromEntries(
    Object.entries(weightMap).map(([name, [t]]) => [
      name,
      { shape: t.shape, dtype: t.dtype, data: Buffer.from((t.dataSync() as Float32Array).buffer).toString("base64") },
    ]),
  );
  return {
    input: info.input,
    output: scoreNode(model),
    target,
    epsilon: 1e-6,
    samples: GRADIENT_SHAP_SAMPLES,
    nodes,
    weights,
    image: x.arraySync(),
    mask: mask.arraySync(),
  };
}

interface TorchResult {
  threads: number;
  torch: string;
  [method: string]: { seconds: number; values: number[] } | number | string;
}

function runTorch(spec: object): TorchResult | string {
  const file = path.join(os.tmpdir(), `deepviz-toolbox-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(spec));
  try {
    return JSON.parse(
      execFileSync(PYTHON, [path.join(sourceDir, "toolbox_torch.py"), file, String(REPS)], {
        encoding: "utf8",
        timeout: 300_000,
        maxBuffer: 64 * 2 ** 20,
      }),
    );
  } catch (e) {
    return `unavailable (${String((e as Error).message)
      .split("\n")[0]!
      .slice(0, 80)})`;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** Max |a − b| over max |b|: how far two maps are apart, relative to the reference's scale. */
function relativeGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let gap = 0,
    scale = 0;
  for (let i = 0; i < b.length; i++) {
    gap = Math.max(gap, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return gap / scale;
}

async function benchModel(label: string, model: dv.Model, x: tf.Tensor, target: number, torch: boolean): Promise<void> {
  const mask = blocks(x.shape[0]);
  const rows = rowsFor(model, x, target, mask);
  const timed: { row: Row; ms: number; values: Float32Array | Int32Array }[] = [];
  for (const row of rows) {
    let last: tf.Tensor | undefined;
    const m = await measure(
      async () => {
        last?.dispose();
        last = await row.run();
      },
      row.heavy ? 1 : REPS,
    );
    timed.push({ row, ms: m.ms, values: (await last!.data()) as Float32Array });
    last!.dispose();
  }
  const ref = timed[0].ms;
  const t = torch && dv.isGraphModel(model) ? runTorch(graphSpec(model, x, mask, target)) : undefined;
  const torchNote = typeof t === "string" ? t : t ? `PyTorch ${t.torch}, ${t.threads} threads` : "";
  console.log(
    `\n## ${label}: best wall time of ${REPS} (1 for the slow rows) after a warm-up, ratios measured in this run${torchNote ? `; ${torchNote}` : ""}`,
  );
  console.log(
    table(
      ["method", "time", "× one saliency", ...(t ? ["PyTorch CPU", "ours ÷ torch", "max gap / max |torch|"] : [])],
      timed.map(({ row, ms, values }) => {
        const cells = [row.name, fmtMs(ms), fmtX(ms / ref)];
        if (!t) return cells;
        const theirs = typeof t === "string" || !row.torch ? undefined : (t[row.torch] as { seconds: number; values: number[] });
        if (!theirs) return [...cells, "—", "—", "—"];
        // both saliencies are |gradient|; gradientShap draws its own random points on each side
        const gap = row.torch === "gradientShap" ? "(other draws)" : relativeGap(values, theirs.values).toExponential(1);
        return [...cells, fmtMs(theirs.seconds * 1000), fmtX(ms / (theirs.seconds * 1000)), gap];
      }),
    ),
  );
  mask.dispose();
}

export async function main(): Promise<void> {
  await dv.backend();
  const torch = !process.argv.includes("--no-torch");
  const only = process.argv
    .find((a) => a.startsWith("--models="))
    ?.split("=")[1]
    ?.split(",");
  if (!only || only.includes("shapes")) {
    const shapes = await dv.zoo.load("shapes_cnn");
    const image = tf.randomUniform(shapes.inputShape, 0, 1, "float32", 1);
    await benchModel("shapes_cnn (LayersModel, 224×224×3)", shapes.model, image, 0, false);
    image.dispose();
    shapes.model.dispose();
  }
  if (only && !only.includes("emotion")) return;

  const emotion = await dv.zoo.load("emotion");
  const face = await dv.data.photo("astronaut", { crop: dv.data.ASTRONAUT_FACE, size: 64 });
  const x = dv.data.preprocess(face, emotion.preprocessing);
  await benchModel("emotion (GraphModel, 64×64×1, the astronaut's face, class happy)", emotion.model, x, 3, torch);
  tf.dispose([face, x]);
  emotion.model.dispose();
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
