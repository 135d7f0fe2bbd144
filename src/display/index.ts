/** dv.show, dv.save, dv.plots, dv.modelSummary: rich display in notebooks and files outside them. */
import { registerBundleMakers } from "./bundles";
import * as plots from "./plots";
import "./progress-view";

registerBundleMakers();

export { show, inNotebook, outputDir } from "./show";
export { save } from "./save";
export { bundleOf, BundleOptions, pictureOf, ShowOptions } from "./bundles";
export { modelSummary, ModelSummary, SummaryRow } from "./model-summary";
export { Plot } from "./plot";
export { plots };
