export { DeepVizError } from "./errors";
export { backend } from "./backend";
export { Attribution, Target } from "./attribution";
export * as render from "./render";
export { show, save, plots, modelSummary, ModelSummary, Plot, bundleOf, inNotebook, ShowOptions } from "./display";
