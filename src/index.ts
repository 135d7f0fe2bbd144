export { DeepVizError } from "./errors";
export { backend } from "./backend";
export { Attribution, Target } from "./attribution";
export { useFastKernels, fastKernelsOn } from "./kernels";
