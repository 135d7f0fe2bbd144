/** Public API of the kernel extension (for the lessons pipeline, scripts and tests). */
export {
  runNotebook,
  outputPaths,
  type RunOptions,
  type RunResult,
  type RunProgress,
  type CellFailure,
  type CellStatus,
} from "./runner";
export { releaseNotebook } from "./assignment/release";
export { gradeNotebook, restoreFromSource, type GradeResult, type TestResult } from "./assignment/grade";
export { feedbackHtml } from "./assignment/feedback";
export { notebookToHtml, type HtmlOptions } from "./notebook-html";
export { escapeHtml, sanitizeHtml, markdownHtml, markTrusted, isTrusted, contentSecurityPolicy } from "./trust";
export { KernelClient, ExecuteTimeout, KernelDied, defaultKernelArgv, type LaunchOptions, type ExecuteOutcome } from "./client";
export { installKernel, uninstallKernel, listKernels, JupyterMissing, KERNEL_NAMES, type InstallLocation } from "./installer";
export type { InstallStep, InstallContext } from "./install-steps";
export {
  getCommManager,
  COMM_MANAGER_KEY,
  type Comm,
  type CommManager,
  type CommMessage,
  type MimeBundle,
  type SendOptions,
} from "./comm-api";
export type { KernelCommManager, DisplayOptions } from "./comm-manager";
export type { Notebook, Cell, Output } from "./notebook";
export { WIDGET_STATE_MIME } from "./widget-state";
