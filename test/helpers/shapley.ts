/** Shapley values by their definition: Σ_S |S|!(M−|S|−1)!/M! (f(S ∪ i) − f(S)), over all subsets S. */
export function shapleyByDefinition(f: (keep: number[]) => number, m: number): number[] {
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const phi = new Array(m).fill(0);
  for (let code = 0; code < 2 ** m; code++) {
    const keep = Array.from({ length: m }, (_, i) => (code >> i) & 1);
    const s = keep.reduce((a, b) => a + b, 0);
    for (let i = 0; i < m; i++) {
      if (keep[i]) continue;
      const withI = keep.slice();
      withI[i] = 1;
      phi[i] += ((fact(s) * fact(m - s - 1)) / fact(m)) * (f(withI) - f(keep));
    }
  }
  return phi;
}
