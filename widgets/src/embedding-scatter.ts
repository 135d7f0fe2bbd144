/**
 * The widget kit's scatter view for an embedding (dv.embed's result): points, labels and thumbnails
 * travel as binary buffers; hovering shows a point's image and a lasso selection comes back as
 * `scatter.selected`. The plotly bundle that `dv.show(embedding)` draws stays the static fallback.
 */
import type { Embedding } from "../../src/embed/embedding";
import { DeepVizError } from "../../src/errors";
import { Scatter } from "./views";

export function embeddingScatter(
  embedding: Embedding,
  options: { title?: string; width?: number; height?: number } = {},
): Scatter {
  if (!embedding || !(embedding.coords instanceof Float32Array))
    throw new DeepVizError("embeddingScatter needs the result of dv.embed.");
  if (embedding.dims !== 2)
    throw new DeepVizError(`embeddingScatter draws 2-D embeddings; this one has ${embedding.dims} dims (use dims: 2).`);
  const names = embedding.labels ? [...new Set(embedding.labels.map(String))] : [];
  const labels = embedding.labels ? Int32Array.from(embedding.labels, (l) => names.indexOf(String(l))) : null;
  const thumbs = embedding.thumbnails;
  return new Scatter({
    points: embedding.coords,
    labels,
    label_names: names,
    thumbnails: thumbs ? new Uint8Array(thumbs.rgba.buffer, thumbs.rgba.byteOffset, thumbs.rgba.byteLength) : null,
    thumb_width: thumbs?.width ?? 0,
    thumb_height: thumbs?.height ?? 0,
    thumb_channels: thumbs ? 4 : 1,
    title: options.title ?? `${embedding.method} of ${embedding.info.layer ?? "the data"} (${embedding.n} points)`,
    ...(options.width ? { width: options.width } : {}),
    ...(options.height ? { height: options.height } : {}),
  });
}
