/** The npm name and version of this front-end module; kernel-side models name them in their state. */
export const MODULE_NAME = "deepviz-widgets";
export const MODULE_VERSION = "0.1.0";
