/** The widget kit: ipywidgets' models driven from TypeScript, plus DeepViz's own views and explorers. */
export { Widget, widgetClass, defineSynced, newInstance, WIDGET_VIEW_MIME } from "./widget";
export type { Change, Observer, MsgHandler, WidgetOptions, ModelSpec } from "./widget";
export { removeBuffers, putBuffers } from "./buffers";
export { Layout } from "./layout";
export type { LayoutState } from "./layout";
export * from "./style";
export {
  IntSlider,
  FloatSlider,
  IntProgress,
  Play,
  Checkbox,
  Button,
  Text,
  Label,
  HTML,
  Image,
  HBox,
  VBox,
} from "./controls";
export { Dropdown, ToggleButtons } from "./selection";
export type { OptionSpec } from "./selection";
export { Output } from "./output";
export type { OutputItem } from "./output";
export { link, dlink, jslink, jsdlink, Link, DirectionalLink } from "./link";
export { interact, interactive, fixed, Interactive } from "./interact";
export { latestWins } from "./coalesce";
export { Heatmap, FeatureGrid, Scatter, toRGBA, VIEWS_MODULE, VIEWS_VERSION } from "./views";
export type { Colormap, HeatmapClick } from "./views";
export * from "./explorers";
export { labextensionInstallStep, LABEXTENSION_DIR } from "./labextension";
export { embeddingScatter } from "./embedding-scatter";
