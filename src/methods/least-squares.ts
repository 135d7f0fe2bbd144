import { fail } from "../errors";

/**
 * Weighted least squares: argmin_θ Σ_r w_r (y_r − a_r·θ)² + ridge·|θ|², through the normal equations
 * solved by Gaussian elimination with partial pivoting in float64. `rows` are the a_r.
 */
export function weightedLeastSquares(
  rows: ArrayLike<number>[],
  y: ArrayLike<number>,
  weights: ArrayLike<number>,
  ridge = 0,
): Float64Array {
  const p = rows[0]?.length ?? 0;
  if (!p) return new Float64Array(0);
  const A = Array.from({ length: p }, () => new Float64Array(p + 1));
  rows.forEach((a, r) => {
    const wr = weights[r];
    if (!(wr > 0)) return;
    for (let i = 0; i < p; i++) {
      if (a[i] === 0) continue;
      const wa = wr * a[i];
      for (let j = 0; j < p; j++) A[i][j] += wa * a[j];
      A[i][p] += wa * y[r];
    }
  });
  const scale = Math.max(1e-300, ...A.map((row, i) => Math.abs(row[i])));
  for (let i = 0; i < p; i++) A[i][i] += ridge * scale;
  for (let col = 0; col < p; col++) {
    let pivot = col;
    for (let r = col + 1; r < p; r++) if (Math.abs(A[r][col]) > Math.abs(A[pivot][col])) pivot = r;
    if (Math.abs(A[pivot][col]) < 1e-12 * scale)
      fail(
        "the coalitions do not determine every feature's weight (too few samples for the number of features): raise samples or use fewer, larger feature groups.",
      );
    [A[col], A[pivot]] = [A[pivot], A[col]];
    for (let r = 0; r < p; r++) {
      if (r === col) continue;
      const f = A[r][col] / A[col][col];
      if (f !== 0) for (let j = col; j <= p; j++) A[r][j] -= f * A[col][j];
    }
  }
  return Float64Array.from(A, (row, i) => row[p] / row[i]);
}
