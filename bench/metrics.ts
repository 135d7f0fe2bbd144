/**
 * Which methods are faithful here (not a test): on the zoo's shapes models and dv.data.shapes' masks,
 * every method's deletion AUC (low is good), insertion AUC (high is good) and pointing-game accuracy,
 * with a random map as the reference a method must beat (shapes_biased on biased scenes, where a faithful
 * map leaves the object). Run: npm run bench (or npx tsx bench/metrics.ts; BENCH_METRICS_N images, default 8).
 */
import * as tf from "@tensorflow/tfjs";
import * as dv from "../src";

type Method = (model: tf.LayersModel, input: tf.Tensor, options?: Record<string, unknown>) => Promise<dv.Attribution>;

/** Every image method, with options that keep the bench short; "random" is a map with no information. */
const METHODS: Record<string, { run: Method; options?: Record<string, unknown> }> = {
  saliency: { run: dv.saliency },
  inputXGradient: { run: dv.inputXGradient },
  integratedGradients: { run: dv.integratedGradients, options: { steps: 16 } },
  smoothGrad: { run: dv.smoothGrad, options: { samples: 8, seed: 1 } },
  guidedBackprop: { run: dv.guidedBackprop },
  deconvnet: { run: dv.deconvnet },
  occlusion: { run: dv.occlusion as unknown as Method, options: { window: 8, stride: 4 } },
  gradCam: { run: dv.gradCam },
  gradCamPlusPlus: { run: dv.gradCamPlusPlus },
  guidedGradCam: { run: dv.guidedGradCam },
  scoreCam: { run: dv.scoreCam },
  hiResCam: { run: dv.hiResCam },
  layerCam: { run: dv.layerCam },
  xGradCam: { run: dv.xGradCam },
  eigenCam: { run: dv.eigenCam },
  ablationCam: { run: dv.ablationCam },
  cam: { run: dv.cam },
};

export interface FaithfulnessRow {
  method: string;
  deletion: number;
  insertion: number;
  pointing: number;
  seconds: number;
}

/** The three scores of every method on one model, over the same images and targets (the true classes). */
export async function faithfulness(modelName: string, n: number, steps: number): Promise<FaithfulnessRow[]> {
  const { model } = await dv.zoo.load(modelName);
  // the biased model is scored on its own world, where texture gives the class away
  const data = dv.data.shapes({ n, seed: 2024, size: model.inputs[0].shape[1] as number, biased: modelName === "shapes_biased" });
  const target = Array.from(data.labels.dataSync());
  const rows: FaithfulnessRow[] = [];
  const score = async (method: string, map: tf.Tensor | dv.Attribution, seconds: number) => {
    const o = { steps, target, batchSize: 64 };
    const del = await dv.metrics.deletion(model, data.images, map, o);
    const ins = await dv.metrics.insertion(model, data.images, map, o);
    const pg = dv.metrics.pointingGame(map, data.masks);
    rows.push({ method, deletion: del.mean, insertion: ins.mean, pointing: pg.accuracy, seconds });
  };
  for (const [name, { run, options }] of Object.entries(METHODS)) {
    const t0 = performance.now();
    let a: dv.Attribution;
    try {
      a = await run(model, data.images, { target, ...options });
    } catch (e) {
      if (e instanceof dv.DeepVizError) continue; // e.g. CAM on a model without a GAP head
      throw e;
    }
    await score(name, a, (performance.now() - t0) / 1000);
    a.dispose();
  }
  const random = tf.randomUniform(data.masks.shape, 0, 1, "float32", 7);
  await score("random (reference)", random, 0);
  random.dispose();
  data.dispose();
  model.dispose();
  return rows;
}

export async function main(): Promise<void> {
  console.log(`backend: ${await dv.backend()}`);
  const n = Number(process.env.BENCH_METRICS_N ?? 8),
    steps = 16;
  for (const name of ["shapes_cnn", "shapes_vgg", "shapes_biased"]) {
    const t0 = performance.now();
    const rows = await faithfulness(name, n, steps);
    console.log(
      `\n${name}: ${n} shapes images, true classes, ${steps} steps; deletion AUC (lower is better), ` +
        `insertion AUC (higher is better), pointing game on the object mask. (${((performance.now() - t0) / 1000).toFixed(0)} s, noisy)`,
    );
    const table = new dv.metrics.MetricsTable(
      rows.map((r) => r.method),
      ["deletion ↓", "insertion ↑", "pointing ↑", "map s"],
      rows.map((r) => [r.deletion, r.insertion, r.pointing, r.seconds]),
    );
    console.log(table.text());
  }
}

if (require.main === module) main();
