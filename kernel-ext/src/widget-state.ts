/**
 * Widget state as a front end would hold it, rebuilt from the comm traffic the runner observes on iopub
 * (kernel-opened `jupyter.widget` comms and their `update`s). Saved in notebook metadata the way
 * nbclient does, so saved pages can render the widgets without a kernel.
 */
import { isPlainPath, WIDGET_STATE_MIME } from "./comm-api";
import type { JupyterMessage } from "./wire";

export { WIDGET_STATE_MIME };
const WIDGET_TARGET = "jupyter.widget";

interface ModelRecord {
  model_name: string;
  model_module: string;
  model_module_version: string;
  state: Record<string, unknown>;
  /** Binary values by path into `state`, newest first wins. */
  buffers: Map<string, { path: (string | number)[]; data: Buffer }>;
}

export interface SavedWidgetState {
  version_major: 2;
  version_minor: 0;
  state: Record<
    string,
    {
      model_name: string;
      model_module: string;
      model_module_version: string;
      state: Record<string, unknown>;
      buffers?: { path: (string | number)[]; data: string; encoding: "base64" }[];
    }
  >;
}

export class WidgetStateTracker {
  private readonly models = new Map<string, ModelRecord>();

  /** Feed every iopub message; returns true when it changed the state. */
  observe(msg: JupyterMessage): boolean {
    const c = msg.content ?? {};
    switch (msg.header.msg_type) {
      case "comm_open": {
        if (c.target_name !== WIDGET_TARGET || !c.data?.state) return false;
        const s = c.data.state;
        const record: ModelRecord = {
          model_name: String(s._model_name ?? ""),
          model_module: String(s._model_module ?? ""),
          model_module_version: String(s._model_module_version ?? ""),
          state: Object.create(null) as Record<string, unknown>, // keys from the wire: "__proto__" stays a plain key
          buffers: new Map(),
        };
        this.models.set(c.comm_id, record);
        this.merge(record, s, c.data.buffer_paths, msg.buffers);
        return true;
      }
      case "comm_msg": {
        const record = this.models.get(c.comm_id);
        if (!record || c.data?.method !== "update" || !c.data.state) return false;
        this.merge(record, c.data.state, c.data.buffer_paths, msg.buffers);
        return true;
      }
      case "comm_close":
        return this.models.delete(c.comm_id);
      default:
        return false;
    }
  }

  private merge(record: ModelRecord, state: Record<string, unknown>, bufferPaths: unknown, buffers: Buffer[]): void {
    for (const [k, v] of Object.entries(state)) {
      record.state[k] = v;
      // A plain value replaces any binary value stored under that key.
      for (const key of [...record.buffers.keys()]) if (JSON.parse(key)[0] === k) record.buffers.delete(key);
    }
    if (Array.isArray(bufferPaths)) {
      bufferPaths.forEach((path, i) => {
        if (isPlainPath(path) && buffers[i]) record.buffers.set(JSON.stringify(path), { path, data: buffers[i] });
      });
    }
  }

  get size(): number {
    return this.models.size;
  }

  toJSON(): SavedWidgetState {
    const state: SavedWidgetState["state"] = {};
    for (const [id, m] of this.models) {
      const buffers = [...m.buffers.values()].map((b) => ({
        path: b.path,
        data: b.data.toString("base64"),
        encoding: "base64" as const,
      }));
      state[id] = {
        model_name: m.model_name,
        model_module: m.model_module,
        model_module_version: m.model_module_version,
        state: m.state,
        ...(buffers.length ? { buffers } : {}),
      };
    }
    return { version_major: 2, version_minor: 0, state };
  }
}
