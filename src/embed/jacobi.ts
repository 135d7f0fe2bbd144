/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: each rotation zeroes one
 * off-diagonal pair, sweeps repeat until the off-diagonal mass is negligible. Accurate to machine
 * precision; O(m³) per sweep, so it serves small matrices (m up to a few hundred).
 * Returns eigenvalues in descending order and matching unit eigenvectors as the rows of `vectors`.
 */
export function symmetricEigen(
  matrix: Float64Array,
  m: number,
  maxSweeps = 100,
): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  let total = 0;
  for (let i = 0; i < m * m; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += a[p * m + q] ** 2;
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q];
        if (apq === 0) continue;
        const theta = (a[q * m + q] - a[p * m + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J, touching only rows and columns p and q.
        for (let r = 0; r < m; r++) {
          const arp = a[r * m + p];
          const arq = a[r * m + q];
          a[r * m + p] = c * arp - s * arq;
          a[r * m + q] = s * arp + c * arq;
        }
        for (let r = 0; r < m; r++) {
          const apr = a[p * m + r];
          const aqr = a[q * m + r];
          a[p * m + r] = c * apr - s * aqr;
          a[q * m + r] = s * apr + c * aqr;
        }
        a[p * m + q] = 0;
        a[q * m + p] = 0;
        // V ← V J: eigenvectors accumulate as columns.
        for (let r = 0; r < m; r++) {
          const vrp = v[r * m + p];
          const vrq = v[r * m + q];
          v[r * m + p] = c * vrp - s * vrq;
          v[r * m + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => a[y * m + y] - a[x * m + x] || x - y);
  const values = new Float64Array(m);
  const vectors = new Float64Array(m * m);
  order.forEach((col, row) => {
    values[row] = a[col * m + col];
    for (let r = 0; r < m; r++) vectors[row * m + r] = v[r * m + col];
  });
  return { values, vectors };
}
