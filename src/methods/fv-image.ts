import * as tf from "@tensorflow/tfjs";
import { normals } from "../core/random";

/**
 * Image parameterisations for feature visualisation (Olah et al. 2017, "Feature Visualization"; Lucid):
 * the optimiser moves parameters, never pixels. "fourier": coefficients of a 2-D Fourier basis scaled by
 * 1/frequency, so every frequency band starts (and learns) at the same pace as natural images' spectra;
 * "pixel": one logit per pixel. Both pass through a fixed colour decorrelation (RGB) and a sigmoid into the range.
 */
export type Parameterization = "fourier" | "pixel";

/** Square root of natural images' RGB covariance, as Lucid's `color_correlation_svd_sqrt` (its columns normalised below). */
const COLOUR_SQRT = [
  [0.26, 0.09, 0.02],
  [0.27, 0.0, -0.05],
  [0.27, -0.09, 0.03],
];
const maxNorm = Math.max(...[0, 1, 2].map((j) => Math.hypot(...COLOUR_SQRT.map((row) => row[j]))));

export interface ImageParam {
  variable: tf.Variable;
  /** The images [B, H, W, C] in `range`, from the current parameters (differentiable). */
  render(): tf.Tensor4D;
  dispose(): void;
}

interface ParamSpec {
  batch: number;
  height: number;
  width: number;
  channels: number;
  range: [number, number];
  decorrelate: boolean;
  random: () => number;
  /** Deep dream: start from these images (in range) instead of noise. */
  start?: tf.Tensor4D;
}

export function makeParam(kind: Parameterization, s: ParamSpec): ImageParam {
  const { batch, height: h, width: w, channels: c } = s;
  const [lo, hi] = s.range;
  const colour =
    s.decorrelate && c === 3
      ? tf.tensor2d(
          COLOUR_SQRT.flatMap((row) => row.map((v) => v / maxNorm)),
          [3, 3],
        )
      : null;
  const toRange = (raw: tf.Tensor4D) => {
    let t: tf.Tensor = raw;
    // decorrelated colours: each pixel's channels mixed by the matrix (Lucid multiplies by its transpose)
    if (colour) t = tf.reshape(tf.matMul(tf.reshape(t, [-1, 3]), colour, false, true), raw.shape);
    return tf.add(lo, tf.mul(tf.sigmoid(t), hi - lo)) as tf.Tensor4D;
  };
  if (kind === "pixel") {
    const init = s.start
      ? tf.tidy(() => {
          let p = tf.clipByValue(tf.div(tf.sub(s.start!, lo), hi - lo), 0.02, 0.98);
          p = tf.log(tf.div(p, tf.sub(1, p)));
          // undo the colour mixing so that render() gives back the start image
          if (colour) p = tf.reshape(tf.matMul(tf.reshape(p, [-1, 3]), tf.transpose(inverse3(colour))), p.shape);
          return p;
        })
      : tf.tidy(() => tf.mul(tf.tensor(normals(batch * h * w * c, s.random), [batch, h, w, c]), 0.01));
    const variable = tf.variable(init);
    init.dispose();
    return {
      variable,
      render: () => toRange(variable as unknown as tf.Tensor4D),
      dispose: () => {
        variable.dispose();
        colour?.dispose();
      },
    };
  }
  // real 2-D Fourier basis: x = Σ_uv s_uv (P_uv cos θ − Q_uv sin θ), θ = 2π(uy/H + vx/W); the basis
  // matrices are symmetric, and cos(a + b) = cos a cos b − sin a sin b, sin(a + b) = sin a cos b + cos a sin b
  // turn it into two plain matrix products: x = C_H U − S_H V, U = P C_W − Q S_W, V = P S_W + Q C_W
  const basis = (n: number, f: (v: number) => number) =>
    Array.from({ length: n * n }, (_, i) => f((2 * Math.PI * Math.floor(i / n) * (i % n)) / n));
  const right = tf.tidy(() => tf.concat([tf.tensor2d(basis(w, Math.cos), [w, w]), tf.tensor2d(basis(w, Math.sin), [w, w])], 1));
  const left = tf.tidy(() =>
    tf.concat([tf.tensor2d(basis(h, Math.cos), [h, h]), tf.neg(tf.tensor2d(basis(h, Math.sin), [h, h]))], 0),
  );
  const freq = (k: number, n: number) => Math.min(k, n - k) / n;
  const scale = tf.tensor2d(
    Array.from({ length: h * w }, (_, i) => {
      const f = Math.hypot(freq(Math.floor(i / w), h), freq(i % w, w));
      return 1 / Math.max(f, 1 / Math.max(h, w));
    }),
    [h, w],
  );
  const n = batch * c;
  const coefficients = tf.tidy(() => tf.mul(tf.tensor(normals(2 * n * h * w, s.random), [2, n, h, w]), 0.01));
  const variable = tf.variable(coefficients);
  coefficients.dispose();
  const render = () =>
    tf.tidy(() => {
      // [P; Q] times [C_W | S_W], as one product over every row of every image and colour
      const pq = tf.reshape(tf.mul(variable, scale), [2 * n * h, w]);
      const [pc, ps, qc, qs] = tf.unstack(
        tf.transpose(tf.reshape(tf.matMul(pq, right), [2, n, h, 2, w]), [0, 3, 1, 2, 4]).reshape([4, n, h, w]),
      );
      const uv = tf.concat([tf.sub(pc, qs), tf.add(ps, qc)], 1); // [n, 2H, W]
      const img = tf.matMul(tf.reshape(tf.transpose(uv, [0, 2, 1]), [n * w, 2 * h]), left); // [n·W, H]: x transposed
      // 1/√(HW) keeps unit-variance coefficients at unit-variance pixels; /4 as Lucid, so the sigmoid starts near grey
      const pixels = tf.div(img, 4 * Math.sqrt(h * w));
      return toRange(tf.transpose(tf.reshape(pixels, [batch, c, w, h]), [0, 3, 2, 1]) as tf.Tensor4D);
    });
  return {
    variable,
    render,
    dispose: () => {
      tf.dispose([variable, left, right, scale]);
      colour?.dispose();
    },
  };
}

function inverse3(m: tf.Tensor2D): tf.Tensor2D {
  const a = m.arraySync();
  const det =
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
    a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
    a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const cof = (r: number, c: number) => {
    const rows = [0, 1, 2].filter((i) => i !== r),
      cols = [0, 1, 2].filter((j) => j !== c);
    return (a[rows[0]][cols[0]] * a[rows[1]][cols[1]] - a[rows[0]][cols[1]] * a[rows[1]][cols[0]]) * ((r + c) % 2 ? -1 : 1);
  };
  return tf.tensor2d(
    [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => cof(j, i) / det)),
    [3, 3],
  );
}
