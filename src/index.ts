export { DeepVizError } from "./errors";
export { backend } from "./backend";
export { Attribution, Target } from "./attribution";
export * as widgets from "../widgets/src";
