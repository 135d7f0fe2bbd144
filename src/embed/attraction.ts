/**
 * t-SNE's attraction on points [from, to): out[i] = exag · Σ_j p_ij w_ij (y_i − y_j), w = 1/(1+|y_i − y_j|²),
 * over row i of the sparse symmetric P (compressed rows: cols/vals[rowStart[i] .. rowStart[i+1])).
 * Row by row, so threads can share the rows out and each point's sum keeps one order whatever the
 * thread count. A free function with no closures or imports, because worker threads run its source
 * too (src/embed/gradient-pool.ts).
 */
export function attractionRows(
  rowStart: Int32Array,
  cols: Int32Array,
  vals: Float64Array,
  y: Float64Array,
  dims: number,
  exag: number,
  from: number,
  to: number,
  out: Float64Array,
): void {
  if (dims === 2) {
    for (let i = from; i < to; i++) {
      const yx = y[2 * i];
      const yy = y[2 * i + 1];
      let fx = 0;
      let fy = 0;
      for (let e = rowStart[i]; e < rowStart[i + 1]; e++) {
        const j = cols[e];
        const dx = yx - y[2 * j];
        const dy = yy - y[2 * j + 1];
        const pw = vals[e] / (1 + dx * dx + dy * dy);
        fx += pw * dx;
        fy += pw * dy;
      }
      out[2 * i] = exag * fx;
      out[2 * i + 1] = exag * fy;
    }
    return;
  }
  for (let i = from; i < to; i++) {
    for (let t = 0; t < dims; t++) out[i * dims + t] = 0;
    for (let e = rowStart[i]; e < rowStart[i + 1]; e++) {
      const j = cols[e];
      let d2 = 0;
      for (let t = 0; t < dims; t++) d2 += (y[i * dims + t] - y[j * dims + t]) ** 2;
      const pw = (exag * vals[e]) / (1 + d2);
      for (let t = 0; t < dims; t++) out[i * dims + t] += pw * (y[i * dims + t] - y[j * dims + t]);
    }
  }
}
