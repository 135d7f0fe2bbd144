/**
 * Which widgets live in the kernel, per CommManager, and the `jupyter.widget.control` comm that hands a
 * connecting front end all of their states at once. Kept on globalThis so that two copies of this module
 * in one kernel process (the kernel's and a notebook's node_modules) answer for all widgets together.
 */
import type { Comm, CommManager, CommMessage } from "../../kernel-ext/src/comm-api";
import { BufferPath, removeBuffers } from "./buffers";

export const WIDGET_TARGET = "jupyter.widget";
export const CONTROL_TARGET = "jupyter.widget.control";
export const PROTOCOL_VERSION = "2.1.0";
export const CONTROL_PROTOCOL_VERSION = "1.0.0";

/** What the registry needs from a widget: its id, its manager and its wire state. */
export interface RegisteredWidget {
  readonly modelId: string;
  /** The JSON-ready state (widget references already as "IPY_MODEL_<id>"), buffers still inside. */
  wireState(): Record<string, unknown>;
}

interface Registry {
  widgets: Map<string, { widget: RegisteredWidget; manager: CommManager }>;
  controlled: WeakSet<CommManager>;
}

const KEY = Symbol.for("deepviz.widgets.registry");

function registry(): Registry {
  const g = globalThis as Record<symbol, unknown>;
  if (!g[KEY]) g[KEY] = { widgets: new Map(), controlled: new WeakSet() } satisfies Registry;
  return g[KEY] as Registry;
}

export function registerWidget(widget: RegisteredWidget, manager: CommManager): void {
  const r = registry();
  r.widgets.set(widget.modelId, { widget, manager });
  if (!r.controlled.has(manager)) {
    r.controlled.add(manager);
    manager.registerTarget(CONTROL_TARGET, (comm) => {
      comm.onMsg((msg) => answerControl(comm, manager, msg));
    });
  }
}

export function unregisterWidget(modelId: string): void {
  registry().widgets.delete(modelId);
}

/** A live widget by id (used to turn "IPY_MODEL_<id>" from the front end back into the widget). */
export function lookupWidget(modelId: string): RegisteredWidget | undefined {
  return registry().widgets.get(modelId)?.widget;
}

function answerControl(comm: Comm, manager: CommManager, msg: CommMessage): void {
  if (msg.data?.method !== "request_states") return;
  const states: Record<string, unknown> = {};
  const buffer_paths: BufferPath[] = [];
  const buffers: ArrayBufferView[] = [];
  for (const [id, entry] of registry().widgets) {
    if (entry.manager !== manager) continue;
    const split = removeBuffers(entry.widget.wireState());
    const s = split.state;
    states[id] = {
      model_name: s._model_name,
      model_module: s._model_module,
      model_module_version: s._model_module_version,
      state: s,
    };
    split.buffer_paths.forEach((p, i) => {
      buffer_paths.push([id, ...p]);
      buffers.push(split.buffers[i]);
    });
  }
  comm.send({ method: "update_states", states, buffer_paths }, { buffers });
}
