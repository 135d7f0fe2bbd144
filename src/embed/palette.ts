import { Embedding, Label } from "./embedding";

/** Ten distinct, colour-blind-tolerable hues, then repeats (as most categorical palettes do). */
export const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

export interface LabelGroup {
  label: Label | null;
  name: string;
  colour: string;
  indices: number[];
}

/** Points grouped by label (numbers in ascending order, then names in order of appearance), one colour each. */
export function groupByLabel(e: Embedding): LabelGroup[] {
  if (!e.labels) return [{ label: null, name: "points", colour: PALETTE[0], indices: Array.from({ length: e.n }, (_, i) => i) }];
  const groups = new Map<Label, number[]>();
  e.labels.forEach((l, i) => {
    const list = groups.get(l);
    if (list) list.push(i);
    else groups.set(l, [i]);
  });
  const keys = Array.from(groups.keys());
  const numbers = keys.filter((k) => typeof k === "number").sort((a, b) => (a as number) - (b as number));
  const names = keys.filter((k) => typeof k !== "number");
  return [...numbers, ...names].map((label, g) => ({
    label,
    name: String(label),
    colour: PALETTE[g % PALETTE.length],
    indices: groups.get(label)!,
  }));
}

const METHOD_NAMES = { tsne: "t-SNE", pca: "PCA", umap: "UMAP" } as const;

export function embeddingTitle(e: Embedding): string {
  const layer = e.info.layer ? ` of ${e.info.layer}` : "";
  return `${METHOD_NAMES[e.method]}${layer} (${e.n} points, ${e.info.inputDims} dims)`;
}
