import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";

/** Row-major points: row i is data[i*d .. i*d+d). The working form of every embedding algorithm. */
export interface Points {
  data: Float64Array;
  n: number;
  d: number;
}

export type PointsInput = tf.Tensor | number[][] | ArrayLike<number>[] | Points;

function isPoints(x: unknown): x is Points {
  return typeof x === "object" && x !== null && "data" in x && "n" in x && "d" in x;
}

/**
 * Reads a tensor (first axis = points, the rest flattened), an array of rows, or Points, checking
 * that every value is a finite number. `what` names the argument in error messages.
 */
export function toPoints(x: PointsInput, what: string): Points {
  if (x instanceof tf.Tensor) {
    if (x.rank < 2)
      fail(`${what} must have a leading axis of points and at least one feature axis; got shape [${x.shape.join(",")}].`);
    const n = x.shape[0];
    const d = x.size / Math.max(n, 1);
    return checkFinite({ data: Float64Array.from(x.dataSync()), n, d }, what);
  }
  if (isPoints(x)) {
    if (x.data.length !== x.n * x.d) fail(`${what}: data has ${x.data.length} values, expected n*d = ${x.n * x.d}.`);
    return checkFinite(x, what);
  }
  if (!Array.isArray(x)) fail(`${what} must be a tf.Tensor or an array of rows (number[][]); got ${typeof x}.`);
  const n = x.length;
  if (n === 0) fail(`${what} is empty: give at least a few points.`);
  const d = (x[0] as ArrayLike<number>)?.length;
  if (typeof d !== "number" || d === 0) fail(`${what} must be an array of rows (number[][]) with at least one feature.`);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = x[i] as ArrayLike<number>;
    if (!row || row.length !== d)
      fail(`${what}: row ${i} has ${row?.length} values but row 0 has ${d}; every row needs the same length.`);
    for (let j = 0; j < d; j++) data[i * d + j] = row[j];
  }
  return checkFinite({ data, n, d }, what);
}

function checkFinite(p: Points, what: string): Points {
  for (let i = 0; i < p.data.length; i++) {
    const v = p.data[i];
    if (!Number.isFinite(v)) {
      fail(`${what}: value at point ${Math.floor(i / p.d)}, feature ${i % p.d} is ${v}; every value must be a finite number.`);
    }
  }
  return p;
}

/** Rows as plain arrays (what plotting and users like to read). */
export function toRows(data: ArrayLike<number>, n: number, d: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from({ length: d }, (_, j) => data[i * d + j]));
  return rows;
}
