import "./display";

export { embed, EmbedOptions, ModelActivations } from "./embed";
export { Embedding, EmbeddingInfo, EmbedMethod, Label, Thumbnails } from "./embedding";
export { EmbedProgress } from "./progress";
export { trustworthiness } from "./trustworthiness";
export { embeddingFigure, embeddingHtml, EmbeddingHtmlOptions, thumbnailDataUris, PlotlyFigure } from "./plot-plotly";
export { embeddingPng, embeddingPngFrame, EmbeddingPngFrame, EmbeddingPngOptions } from "./plot-png";
export { embeddingBundle } from "./display";
