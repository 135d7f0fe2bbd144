import { MimeBundle, registerBundleMaker } from "../core/display-registry";
import { Embedding } from "./embedding";
import { embeddingFigure, embeddingHtml } from "./plot-plotly";
import { embeddingPng } from "./plot-png";

/** The MIME bundle of an embedding: interactive HTML (with the PNG inside as its fallback), PNG, plotly JSON. */
export function embeddingBundle(e: Embedding): MimeBundle {
  const png = embeddingPng(e);
  return {
    "text/html": embeddingHtml(e, { png }),
    "image/png": png.toString("base64"),
    "application/vnd.plotly.v1+json": embeddingFigure(e),
  };
}

registerBundleMaker("embedding", (value: Embedding) => embeddingBundle(value));
