/**
 * The contract between the kernel and code that runs in cells (the library and the widget kit): the only
 * file of kernel-ext they may import, so it holds types and symbols, no code that needs the kernel.
 * The kernel publishes one CommManager on globalThis under COMM_MANAGER_KEY so that every copy of
 * this package loaded in the kernel process shares it. Outside the kernel there is none.
 */
export type MimeBundle = Record<string, unknown>;

/** The MIME type of a widget's view in an output, and of the widget state saved in notebook metadata. */
export const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";
export const WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json";

/** A value with a method under this key shows as the MIME bundle it returns (the Deno kernel's convention). */
export const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/** Text made safe for `text/html` outputs and pages (element content and quoted attributes alike). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

export interface CommMessage {
  /** `content.data` of the Jupyter message. */
  data: any;
  /** Binary frames sent after the JSON frames. */
  buffers: Uint8Array[];
  metadata: Record<string, unknown>;
  header: { msg_id: string; msg_type: string; [k: string]: unknown };
}

export interface SendOptions {
  buffers?: ArrayBufferView[];
  metadata?: Record<string, unknown>;
}

export interface Comm {
  readonly commId: string;
  readonly targetName: string;
  readonly closed: boolean;
  /** comm_msg on iopub; parented to the message being handled, else to the running execute_request. */
  send(data: unknown, options?: SendOptions): void;
  close(data?: unknown, options?: SendOptions): void;
  onMsg(handler: (msg: CommMessage) => void | Promise<void>): void;
  onClose(handler: (msg: CommMessage | null) => void): void;
}

export interface CommManager {
  /** Front-end-initiated comms for `targetName` are handed to `handler`. */
  registerTarget(targetName: string, handler: (comm: Comm, open: CommMessage) => void | Promise<void>): void;
  unregisterTarget(targetName: string): void;
  /** Kernel-initiated comm_open. */
  open(targetName: string, data?: unknown, options?: SendOptions & { commId?: string }): Comm;
  /**
   * display_data into the output area currently in scope (see kernel README for the rules); with a
   * `displayId`, later calls with `update: true` replace that output (update_display_data).
   */
  display(bundle: MimeBundle, metadata?: Record<string, unknown>, options?: { displayId?: string; update?: boolean }): void;
}

/** Keys that walk into an object's prototype chain when followed as a path. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * A binary buffer's path in comm data or widget state (`buffer_paths`): a short, non-empty list of
 * array indices and plain object keys (never UNSAFE_KEYS), so putting a buffer there cannot reach a
 * prototype.
 */
export function isPlainPath(path: unknown): path is (string | number)[] {
  return (
    Array.isArray(path) &&
    path.length > 0 &&
    path.length <= 64 &&
    path.every(
      (k) =>
        (typeof k === "number" && Number.isSafeInteger(k) && k >= 0 && k < 1e7) || (typeof k === "string" && !UNSAFE_KEYS.has(k)),
    )
  );
}

export const COMM_MANAGER_KEY = Symbol.for("deepviz.kernel.commManager");

/**
 * `{ current(): AbortSignal | undefined }`: the signal of the cell that is running, aborted when the
 * kernel is interrupted (interrupt_request or SIGINT), so long library work stops at its next chunk
 * instead of running on after the cell has ended.
 */
export const CELL_SIGNAL_KEY = Symbol.for("deepviz.kernel.cellSignal");

export function getCommManager(): CommManager | undefined {
  return (globalThis as Record<symbol, unknown>)[COMM_MANAGER_KEY] as CommManager | undefined;
}
