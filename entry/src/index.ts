/**
 * What `import * as dv from "deepviz"` gives: the library, the widget kit as `dv.widgets`, and the
 * explorers. The library itself never imports the kit; this module puts the two side by side.
 */
export * from "../../src";
export * as widgets from "../../widgets/src";
export { layerExplorer, attributionExplorer, neuronPicker } from "../../widgets/src/explorers";
