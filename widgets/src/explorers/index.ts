export { layerExplorer, LayerExplorer } from "./layer-explorer";
export type { LayerExplorerOptions } from "./layer-explorer";
export { attributionExplorer, AttributionExplorer } from "./attribution-explorer";
export type { AttributionExplorerOptions } from "./attribution-explorer";
export { neuronPicker, NeuronPicker } from "./neuron-picker";
export type { NeuronPickerOptions } from "./neuron-picker";
