/** dv.render: pure functions from tensors or arrays to pictures (RGBA + PNG). Nothing here displays. */
export * from "./types";
export { colormap, Colormap, ColormapName, COLORMAP_NAMES } from "./colormaps";
export {
  reduceChannels,
  applySign,
  cumulativeSumThreshold,
  percentileOf,
  normalizeMap,
  normalizeWithRange,
  sharedRange,
  Reduction,
  Sign,
  Normalization,
  NormalizeOptions,
  Normalized,
  SIGNS,
} from "./normalize";
export { resizeMap, Resample } from "./upsample";
export {
  heatmap as heatmapRGBA,
  blended as blendedRGBA,
  masked as maskedRGBA,
  alphaScaling as alphaScalingRGBA,
  original as originalRGBA,
  colormapPosition,
} from "./views";
export { encodePng, decodePng } from "./png";
export { Picture } from "./picture";
export { toHWC, toImage, ImageLike, MapLike } from "./arrays";
export { composeGrid, gridLayout, Panel, GridOptions, GridLayout, ColorbarSpec } from "./compose";
export {
  renderAttribution as attribution,
  renderItem,
  AttributionViewOptions,
  View,
  VIEWS,
  defaultColormap,
} from "./attribution-view";
export { featureMaps, FeatureMapOptions } from "./feature-maps";
export { filters, FilterOptions, KernelLike } from "./filters";
export { compare, CompareItem, CompareOptions } from "./compare";
export { image, ImageOptions } from "./image";
export { imageGrid, ImageGridOptions } from "./image-grid";
export { topPatches, TopPatchesLike, TopPatchesViewOptions, signedImage } from "./top-patches";
