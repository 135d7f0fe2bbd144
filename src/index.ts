export { DeepVizError } from "./errors";
export { backend } from "./backend";
export { Attribution, Target } from "./attribution";
export { embed, trustworthiness, Embedding, EmbedOptions, EmbedProgress, embeddingFigure, embeddingHtml, embeddingPng } from "./embed";
