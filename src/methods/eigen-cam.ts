import * as tf from "@tensorflow/tfjs";
import { Model } from "../model/kind";
import { Attribution } from "../attribution";
import { symmetricEigen } from "../embed/jacobi";
import { forward } from "../model/interpreter";
import { CamOptions, layerCams } from "./cam-maps";
import { explain } from "./explain";

/**
 * The first principal component of one example's activations [positions, K], as a map over positions:
 * the centred activations projected on their top right singular vector, signed so that the map
 * correlates positively with the activations' mean over channels.
 */
export function firstComponent(acts: Float32Array, positions: number, channels: number): Float64Array {
  const x = new Float64Array(positions * channels);
  for (let k = 0; k < channels; k++) {
    let mean = 0;
    for (let p = 0; p < positions; p++) mean += acts[p * channels + k];
    mean /= positions;
    for (let p = 0; p < positions; p++) x[p * channels + k] = acts[p * channels + k] - mean;
  }
  const proj = new Float64Array(positions);
  if (positions <= channels) {
    // X Xᵀ = U S² Uᵀ: the projection X v₁ is σ₁ u₁
    const g = new Float64Array(positions * positions);
    for (let i = 0; i < positions; i++)
      for (let j = i; j < positions; j++) {
        let s = 0;
        for (let k = 0; k < channels; k++) s += x[i * channels + k] * x[j * channels + k];
        g[i * positions + j] = g[j * positions + i] = s;
      }
    const { values, vectors } = symmetricEigen(g, positions);
    const sigma = Math.sqrt(Math.max(0, values[0]));
    for (let p = 0; p < positions; p++) proj[p] = sigma * vectors[p];
  } else {
    const c = new Float64Array(channels * channels);
    for (let i = 0; i < channels; i++)
      for (let j = i; j < channels; j++) {
        let s = 0;
        for (let p = 0; p < positions; p++) s += x[p * channels + i] * x[p * channels + j];
        c[i * channels + j] = c[j * channels + i] = s;
      }
    const { vectors } = symmetricEigen(c, channels);
    for (let p = 0; p < positions; p++) {
      let s = 0;
      for (let k = 0; k < channels; k++) s += x[p * channels + k] * vectors[k];
      proj[p] = s;
    }
  }
  // the sign of a singular vector is arbitrary: choose the one that agrees with the mean activation
  const meanMap = Array.from({ length: positions }, (_, p) => {
    let s = 0;
    for (let k = 0; k < channels; k++) s += acts[p * channels + k];
    return s / channels;
  });
  const centre = meanMap.reduce((a, b) => a + b, 0) / positions;
  let agreement = 0;
  for (let p = 0; p < positions; p++) agreement += proj[p] * (meanMap[p] - centre);
  if (agreement < 0) for (let p = 0; p < positions; p++) proj[p] = -proj[p];
  return proj;
}

/**
 * Eigen-CAM (Muhammad & Yeasin 2020): the layer's activations projected on their first principal
 * component, no gradient and no class (the target is ignored: it shows what the layer finds most
 * salient). The sign follows the activations' mean; ReLU and upsampling as dv.gradCam.
 */
export async function eigenCam(model: Model, input: tf.Tensor, options: CamOptions = {}): Promise<Attribution> {
  return explain("eigenCam", model, input, options, (ctx) =>
    layerCams(ctx, options, (layers) => {
      const pass = forward(ctx.model, ctx.x, { capture: layers });
      return layers.map((name) => {
        const a = pass.activations.get(name)!;
        const [batch, ...rest] = a.shape;
        const channels = rest[rest.length - 1];
        const positions = rest.slice(0, -1).reduce((x, d) => x * d, 1);
        const data = a.dataSync() as Float32Array;
        const maps = new Float32Array(batch * positions);
        for (let b = 0; b < batch; b++) {
          maps.set(
            firstComponent(data.subarray(b * positions * channels, (b + 1) * positions * channels), positions, channels),
            b * positions,
          );
        }
        return tf.tensor(maps, [batch, ...rest.slice(0, -1)]);
      });
    }),
  );
}
