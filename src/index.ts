export { DeepVizError } from "./errors";
export { backend } from "./backend";
export { Attribution, Target } from "./attribution";
export * as zoo from "./zoo";
export * as data from "./data";
