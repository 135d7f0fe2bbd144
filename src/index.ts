export { DeepVizError } from "./errors";
export { backend } from "./backend";
