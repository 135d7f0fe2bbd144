/** deepviz-widgets: the browser side of DeepViz's own widgets, on @jupyter-widgets/base. */
export { MODULE_NAME, MODULE_VERSION } from "./version";
export { HeatmapModel, HeatmapView } from "./heatmap";
export { FeatureGridModel, FeatureGridView } from "./feature-grid";
export { ScatterModel, ScatterView } from "./scatter";
