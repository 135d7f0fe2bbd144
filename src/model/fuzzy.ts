/** Names closest to `wanted` (for "did you mean" in error messages): substring matches first, then edit distance. */
export function closeMatches(wanted: string, names: string[], count = 5): string[] {
  const w = wanted.toLowerCase();
  const scored = names.map((name) => {
    const n = name.toLowerCase();
    const tail = n.split("/").pop()!;
    const score =
      n.includes(w) || w.includes(tail)
        ? -1 / (1 + Math.abs(n.length - w.length))
        : distance(w, n) / Math.max(w.length, n.length);
    return { name, score };
  });
  return scored
    .sort((a, b) => a.score - b.score)
    .slice(0, count)
    .map((s) => s.name);
}

/** Levenshtein distance, two rows at a time. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}
