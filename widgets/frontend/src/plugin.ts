/** JupyterLab 4 / Notebook 7 plugin: registers this module with the widget manager of ipywidgets. */
import { IJupyterWidgetRegistry } from "@jupyter-widgets/base";
import * as views from "./index";

const plugin = {
  id: "deepviz-widgets:plugin",
  description: "DeepViz heatmap, feature-grid and scatter widgets",
  requires: [IJupyterWidgetRegistry],
  autoStart: true,
  activate(_app: unknown, registry: IJupyterWidgetRegistry): void {
    registry.registerWidget({ name: views.MODULE_NAME, version: views.MODULE_VERSION, exports: views as any });
  },
};

export default plugin;
