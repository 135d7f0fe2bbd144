/**
 * Feature visualisation's cost per step (not a test), as ratios of CPU time measured in one run: one step is
 * render the image from its Fourier coefficients, warp it, the model's forward and backward pass to the layer,
 * and Adam. Target: rendering (with its gradient) costs at most 1.5× the model's own pass (0.8–1.1× measured;
 * the batched-matMul render it replaced took 2.1–2.6× longer in one run). Run: npm run bench:fv
 */
import * as tf from "@tensorflow/tfjs";
import { backend } from "../src/backend";
import { mulberry32 } from "../src/core/random";
import { channelVisualizations } from "../src/methods/feature-visualization";
import { makeParam } from "../src/methods/fv-image";
import { forward } from "../src/model/interpreter";
import { load } from "../src/zoo";
import { fmtMs, fmtX, measure, table } from "./measure";

export async function main(): Promise<void> {
  console.log(`backend: ${await backend()}`);
  const { model } = await load("shapes_cnn");
  const [batch, layer, steps] = [8, "conv3", 16];
  const param = makeParam("fourier", {
    batch,
    height: 64,
    width: 64,
    channels: 3,
    range: [0, 1],
    decorrelate: true,
    random: mulberry32(1),
  });
  const x = tf.variable(tf.randomUniform([batch, 64, 64, 3]));
  const gradOf = async (f: () => tf.Scalar, v: tf.Variable) => {
    const r = tf.variableGrads(f, [v]);
    await r.grads[v.name].data();
    tf.dispose([r.value, ...Object.values(r.grads)]);
  };
  const renderCost = await measure(() => gradOf(() => tf.sum(param.render()), param.variable), 5);
  const modelCost = await measure(
    () => gradOf(() => tf.mean(forward(model, x, { capture: [layer], stopAt: layer }).activations.get(layer)!), x),
    5,
  );
  const stepCost = await measure(async () => {
    const v = await channelVisualizations(model, { layer, channels: batch, steps, progress: false });
    v.dispose();
  }, 2);
  const perStep = stepCost.cpuMs / steps;
  console.log(
    table(
      ["per step, batch 8 of 64×64, shapes_cnn conv3", "CPU time", "× model pass"],
      [
        ["model forward + backward to conv3", fmtMs(modelCost.cpuMs), "1"],
        ["Fourier image render + its gradient", fmtMs(renderCost.cpuMs), fmtX(renderCost.cpuMs / modelCost.cpuMs)],
        ["whole step (render, warp, model, Adam)", fmtMs(perStep), fmtX(perStep / modelCost.cpuMs)],
      ],
    ),
  );
  const ratio = renderCost.cpuMs / modelCost.cpuMs;
  console.log(`target: render ≤ 1.5× the model pass → ${ratio <= 1.5 ? "met" : "NOT met"} (${ratio.toFixed(2)}×)`);
  param.dispose();
  x.dispose();
}

if (require.main === module) main();
