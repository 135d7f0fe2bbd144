/**
 * The kernel side of one ipywidgets model: typed state that syncs over a `jupyter.widget` comm
 * (protocol 2.1.0), observers, custom messages, display and close.
 *
 * Synced attributes are plain properties (`slider.value = 5` sends an update; a front-end update sets
 * the property and fires observers). The comm opens on the first of: show(), being referenced by an
 * open widget, or the end of the current synchronous code (a microtask), so that constructors of
 * subclasses finish before the front end sees the state.
 */
import { AsyncResource } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { Comm, CommManager, CommMessage, getCommManager, JUPYTER_DISPLAY, WIDGET_VIEW_MIME } from "../../kernel-ext/src/comm-api";
import { DeepVizError } from "../../src/errors";
import { isBinary, putBuffers, removeBuffers } from "./buffers";
import { lookupWidget, PROTOCOL_VERSION, registerWidget, unregisterWidget, WIDGET_TARGET } from "./registry";

export { WIDGET_VIEW_MIME };
export { JUPYTER_DISPLAY };

export const BASE_MODULE = "@jupyter-widgets/base";
export const CONTROLS_MODULE = "@jupyter-widgets/controls";
export const OUTPUT_MODULE = "@jupyter-widgets/output";
/** Spec versions for ipywidgets 8 front ends (not the npm versions). */
export const SPEC_VERSION: Record<string, string> = {
  [BASE_MODULE]: "2.0.0",
  [CONTROLS_MODULE]: "2.0.0",
  [OUTPUT_MODULE]: "1.0.0",
};

/** Which front-end model and view a widget class stands for. */
export interface ModelSpec {
  model: string;
  module: string;
  moduleVersion?: string;
  view: string | null;
  viewModule?: string;
  viewVersion?: string;
}

export interface Change<T = unknown> {
  name: string;
  old: T;
  new: T;
  owner: Widget;
  type: "change";
}
export type Observer<T = any> = (change: Change<T>) => void | Promise<void>;

interface ObserverEntry {
  names: Set<string> | null;
  fn: Observer;
  /** Its promise for a front-end change is pending. */
  busy?: boolean;
  /** The latest front-end change that arrived meanwhile, bound to its message's context. */
  next?: () => void;
}
export type MsgHandler = (content: any, buffers: Uint8Array[]) => void | Promise<void>;

/** Constructor options: every synced attribute; a widget-valued one also takes that widget's options. */
export type WidgetOptions<S> = {
  [K in keyof S]?: S[K] extends Widget<infer T> ? S[K] | Partial<T> : S[K];
};

/** In a defaults table, "make a new instance of this widget" (ipywidgets' "reference to new instance"). */
class NewInstance {
  constructor(readonly ctor: new (options?: any) => Widget) {}
}
export function newInstance<W extends Widget>(ctor: new (options?: any) => W): W {
  return new NewInstance(ctor) as unknown as W;
}

export class Widget<S extends object = any> {
  /** The comm id, also the model id the front end knows the widget by. */
  readonly modelId: string = randomUUID().replace(/-/g, "");
  private readonly state: Record<string, unknown>;
  private readonly defaults: Record<string, unknown>;
  private comm: Comm | null = null;
  private manager: CommManager | null = null;
  private isClosed = false;
  private observers: ObserverEntry[] = [];
  private msgHandlers: MsgHandler[] = [];
  /** State received from the front end while it is being applied (ipywidgets' property lock). */
  private incoming: Record<string, unknown> | null = null;
  /** Keys changed inside holdSync, sent together when it ends. */
  private held: Set<string> | null = null;
  /**
   * Where this widget's front-end callbacks (observers, message handlers) print and report errors: an
   * Output's capture, set by a composite widget that shows one (the explorers). Default: the kernel's
   * current cell.
   */
  callbackOutput: { capture(fn: () => unknown): unknown } | null = null;

  constructor(spec: ModelSpec, defaults: S, options: Record<string, unknown> = {}) {
    this.defaults = defaults as Record<string, unknown>;
    this.state = {
      _model_name: spec.model,
      _model_module: spec.module,
      _model_module_version: spec.moduleVersion ?? SPEC_VERSION[spec.module] ?? "0.1.0",
      _view_name: spec.view,
      _view_module: spec.viewModule ?? spec.module,
      _view_module_version: spec.viewVersion ?? spec.moduleVersion ?? SPEC_VERSION[spec.viewModule ?? spec.module] ?? "0.1.0",
    };
    for (const key of Object.keys(options)) {
      if (!(key in this.defaults) && (options as any)[key] !== undefined) {
        throw new DeepVizError(
          `${this.constructor.name} has no attribute "${key}"; its attributes are: ${Object.keys(this.defaults).join(", ")}`,
        );
      }
    }
    for (const [key, def] of Object.entries(this.defaults)) {
      const given = options[key];
      if (def instanceof NewInstance) {
        this.state[key] = given instanceof Widget ? given : new def.ctor(given ?? {});
      } else {
        this.state[key] = given === undefined ? cloneValue(def) : this.coerce(key, given);
      }
    }
    queueMicrotask(() => this.open());
  }

  /** The names of the synced attributes. */
  get keys(): string[] {
    return Object.keys(this.defaults);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Read one synced attribute. */
  get<K extends keyof S & string>(key: K): S[K] {
    return this.state[key] as S[K];
  }

  /** Set several attributes at once: one update message, observers after all are set. */
  set(values: Partial<S>): void {
    this.holdSync(() => {
      for (const [k, v] of Object.entries(values)) this.setKey(k, v);
    });
  }

  /** Changes made inside `fn` go to the front end as one update message. */
  holdSync(fn: () => void): void {
    if (this.held) return fn();
    this.held = new Set();
    try {
      fn();
    } finally {
      const keys = [...this.held];
      this.held = null;
      if (keys.length) this.sendUpdate(keys);
    }
  }

  /** Set one attribute; used by the property accessors. */
  protected setKey(key: string, value: unknown): void {
    if (!(key in this.defaults)) {
      throw new DeepVizError(`${this.constructor.name} has no attribute "${key}"; its attributes are: ${this.keys.join(", ")}`);
    }
    const v = this.coerce(key, value);
    const old = this.state[key];
    if (sameValue(old, v)) return;
    this.state[key] = v;
    const echoOfIncoming = this.incoming && key in this.incoming && sameValue(v, this.incoming[key]);
    if (!echoOfIncoming) {
      if (this.held) this.held.add(key);
      else this.sendUpdate([key]);
    }
    this.notify(key, old, v, true);
  }

  /**
   * Check and normalize a value before it is stored; subclasses clamp, round, map options. The base
   * checks the JSON type against the default.
   */
  protected coerce(key: string, value: unknown): unknown {
    const def = this.defaults[key];
    const bad = (what: string) =>
      new DeepVizError(`${this.constructor.name}.${key} must be ${what}, got ${inspect(value, { depth: 1 })}`);
    if (typeof def === "number" && (typeof value !== "number" || Number.isNaN(value))) throw bad("a number");
    if (typeof def === "boolean" && typeof value !== "boolean") throw bad("true or false");
    if (typeof def === "string" && typeof value !== "string") throw bad("a string");
    if (Array.isArray(def) && !Array.isArray(value)) throw bad("an array");
    if (def instanceof NewInstance && !(value instanceof Widget)) throw bad(`a ${def.ctor.name}`);
    return value;
  }

  /** Call `fn` when the named attributes change (all when `names` is omitted). Returns a disposer. */
  observe(fn: Observer, names?: string | string[]): () => void {
    const entry = { names: names === undefined ? null : new Set(typeof names === "string" ? [names] : names), fn };
    this.observers.push(entry);
    return () => this.unobserve(fn);
  }

  unobserve(fn: Observer): void {
    this.observers = this.observers.filter((o) => o.fn !== fn);
  }

  /**
   * Tell observers. Kernel-side changes let an observer's exception reach the caller; front-end ones
   * are reported on stderr so that one bad observer does not stop the others.
   */
  protected notify(name: string, old: unknown, value: unknown, fromKernel: boolean): void {
    const change: Change = { name, old, new: value, owner: this, type: "change" };
    for (const o of this.observers.slice()) {
      if (o.names && !o.names.has(name)) continue;
      if (!fromKernel) {
        this.callFromFrontend(o, change);
        continue;
      }
      const result: unknown = o.fn(change);
      if (result instanceof Promise) result.catch((err) => this.observerFailed(name, err));
    }
  }

  /**
   * A front-end change for an observer still busy with an earlier one (its promise pending) waits, and
   * only the latest waiting change runs once it is done: a dragged slider's values do not pile up, and
   * two runs of one observer never overlap (their results would land in any order). The waiting run
   * keeps the async context of its own message (where its output goes).
   */
  private callFromFrontend(o: ObserverEntry, change: Change): void {
    if (o.busy) {
      o.next = AsyncResource.bind(() => this.callFromFrontend(o, change));
      return;
    }
    let result: unknown;
    try {
      result = o.fn(change);
    } catch (err) {
      this.observerFailed(change.name, err);
      return;
    }
    if (!(result instanceof Promise)) return;
    o.busy = true;
    result
      .catch((err) => this.observerFailed(change.name, err))
      .finally(() => {
        o.busy = false;
        const next = o.next;
        o.next = undefined;
        if (next && this.observers.includes(o)) next();
      });
  }

  private observerFailed(name: string, err: unknown): void {
    console.error(`Error in an observer of ${this.constructor.name}.${name}:`, err);
  }

  /** Handle custom messages from the front end (`{method: "custom", content}`). */
  onMsg(handler: MsgHandler): () => void {
    this.msgHandlers.push(handler);
    return () => {
      this.msgHandlers = this.msgHandlers.filter((h) => h !== handler);
    };
  }

  /** Send a custom message to the front-end model. */
  send(content: unknown, buffers: ArrayBufferView[] = []): void {
    if (!this.open()) return;
    this.comm!.send({ method: "custom", content }, { buffers });
  }

  /**
   * Open the comm if a kernel CommManager exists and it is not open yet; widgets this one refers to open
   * first (the front end resolves references when the model is created). Returns whether it is open.
   */
  open(): boolean {
    if (this.comm) return true;
    if (this.isClosed) return false;
    const manager = getCommManager();
    if (!manager) return false;
    this.openReferenced(Object.values(this.state));
    const { state, buffer_paths, buffers } = removeBuffers(this.wireState());
    this.manager = manager;
    this.comm = manager.open(
      WIDGET_TARGET,
      { state, buffer_paths },
      { buffers, metadata: { version: PROTOCOL_VERSION }, commId: this.modelId },
    );
    this.comm.onMsg((msg) => this.handleMsg(msg));
    this.comm.onClose(() => this.forget());
    registerWidget(this, manager);
    return true;
  }

  /** Close the comm; the front end removes the model and its views. */
  close(): void {
    if (this.isClosed) return;
    const comm = this.comm;
    this.forget();
    if (comm && !comm.closed) comm.close();
  }

  private forget(): void {
    this.isClosed = true;
    unregisterWidget(this.modelId);
  }

  /** The MIME bundle that shows this widget (and opens its comm). */
  mimeBundle(): Record<string, unknown> {
    const text = { "text/plain": this.toString() };
    if (!this.open()) return text;
    return { [WIDGET_VIEW_MIME]: { version_major: 2, version_minor: 0, model_id: this.modelId }, ...text };
  }

  [JUPYTER_DISPLAY](): Record<string, unknown> {
    return this.mimeBundle();
  }

  /** Show the widget in the current output area (named `show`: Layout has a CSS `display` attribute). */
  show(): void {
    const manager = getCommManager();
    if (!manager) {
      throw new DeepVizError(
        "Widgets need a notebook running the DeepViz kernel (kernel-ext); in a plain Node script there is nothing to show them.",
      );
    }
    manager.display(this.mimeBundle());
  }

  toString(): string {
    const shown = ["value", "description"]
      .filter((k) => k in this.state && this.state[k] !== "")
      .map((k) => `${k}=${inspect(this.state[k], { depth: 0, maxArrayLength: 5, maxStringLength: 40 })}`);
    return `${this.constructor.name}(${shown.join(", ")})`;
  }

  /** The full state as sent on the wire: widget references as "IPY_MODEL_<id>", buffers still in place. */
  wireState(keys?: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of keys ?? Object.keys(this.state)) out[key] = toWire(this.state[key]);
    return out;
  }

  private openReferenced(values: unknown[]): void {
    for (const v of values) {
      if (v instanceof Widget) v.open();
      else if (Array.isArray(v)) this.openReferenced(v);
      else if (v && typeof v === "object" && !isBinary(v)) this.openReferenced(Object.values(v));
    }
  }

  private sendUpdate(keys: string[]): void {
    if (!this.comm || this.comm.closed) return;
    this.openReferenced(keys.map((k) => this.state[k]));
    const { state, buffer_paths, buffers } = removeBuffers(this.wireState(keys));
    this.comm.send({ method: "update", state, buffer_paths }, { buffers });
  }

  private handleMsg(msg: CommMessage): void {
    if (this.callbackOutput) this.callbackOutput.capture(() => this.dispatchMsg(msg));
    else this.dispatchMsg(msg);
  }

  private dispatchMsg(msg: CommMessage): void {
    const data = msg.data ?? {};
    switch (data.method) {
      case "update": {
        const state = (data.state ?? {}) as Record<string, unknown>;
        putBuffers(state, data.buffer_paths ?? [], msg.buffers ?? []);
        this.applyFromFrontend(state);
        break;
      }
      case "request_state": {
        const { state, buffer_paths, buffers } = removeBuffers(this.wireState());
        this.comm?.send({ method: "update", state, buffer_paths }, { buffers });
        break;
      }
      case "custom":
        for (const h of this.msgHandlers.slice()) {
          try {
            const r = h(data.content, msg.buffers ?? []);
            if (r instanceof Promise)
              r.catch((err) => console.error(`Error handling a message of ${this.constructor.name}:`, err));
          } catch (err) {
            console.error(`Error handling a message of ${this.constructor.name}:`, err);
          }
        }
        break;
    }
  }

  /**
   * A front-end update: echo it at once (so the front end knows the kernel saw it), store every
   * attribute, then tell observers. A value the kernel changes while checking it (clamping) goes back
   * as an update; observers that set an attribute to the value just received send nothing.
   */
  private applyFromFrontend(raw: Record<string, unknown>): void {
    const keys = Object.keys(raw).filter((k) => Object.prototype.hasOwnProperty.call(this.defaults, k)); // own attributes only, never __proto__
    if (!keys.length) return;
    const echo: Record<string, unknown> = {};
    for (const k of keys) echo[k] = raw[k];
    const split = removeBuffers(echo);
    this.comm?.send({ method: "echo_update", state: split.state, buffer_paths: split.buffer_paths }, { buffers: split.buffers });

    const values: Record<string, unknown> = {};
    for (const k of keys) values[k] = fromWire(raw[k]);
    const changes: Array<[string, unknown, unknown]> = [];
    const corrected: string[] = [];
    for (const k of keys) {
      let v: unknown;
      try {
        v = this.coerce(k, values[k]);
      } catch (err) {
        console.error(String(err));
        corrected.push(k);
        continue;
      }
      if (!sameValue(v, values[k])) corrected.push(k);
      const old = this.state[k];
      if (sameValue(old, v)) continue;
      this.state[k] = v;
      changes.push([k, old, v]);
    }
    if (corrected.length) this.sendUpdate(corrected);
    this.incoming = values;
    try {
      for (const [k, old, v] of changes) this.notify(k, old, v, false);
    } finally {
      this.incoming = null;
    }
  }
}

/**
 * A Widget subclass whose synced attributes are the keys of `defaults`, each a plain property.
 * Use it as a base class: `class IntSlider extends widgetClass(spec, defaults) {}`.
 */
export function widgetClass<S extends object>(spec: ModelSpec, defaults: S) {
  class Synced extends Widget<S> {
    constructor(options: WidgetOptions<S> = {}) {
      super(spec, defaults, options as Record<string, unknown>);
    }
  }
  defineSynced(Synced, Object.keys(defaults));
  return Synced as unknown as {
    new (options?: WidgetOptions<S>): Widget<S> & S;
    prototype: Widget<S> & S;
  };
}

/** Make each key a plain property of instances of `ctor` that reads and writes the synced state. */
export function defineSynced(ctor: abstract new (...args: any[]) => Widget, keys: string[]): void {
  for (const key of keys) {
    Object.defineProperty(ctor.prototype, key, {
      get(this: Widget) {
        return (this as any).state[key];
      },
      set(this: Widget, value: unknown) {
        (this as any).setKey(key, value);
      },
      enumerable: true,
      configurable: true,
    });
  }
}

function toWire(value: unknown): unknown {
  if (value instanceof Widget) return `IPY_MODEL_${value.modelId}`;
  if (isBinary(value)) return value;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toWire(v);
    return out;
  }
  return value;
}

function fromWire(value: unknown): unknown {
  if (typeof value === "string" && value.startsWith("IPY_MODEL_")) {
    return lookupWidget(value.slice("IPY_MODEL_".length)) ?? value;
  }
  if (isBinary(value)) return value;
  if (Array.isArray(value)) return value.map(fromWire);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromWire(v);
    return out;
  }
  return value;
}

function cloneValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneValue);
  if (value && typeof value === "object" && !isBinary(value) && !(value instanceof Widget)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneValue(v)]));
  }
  return value;
}

/** Equality as traitlets sees it: by value for JSON and bytes, by identity for widgets. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (isBinary(a) || isBinary(b)) {
    if (!isBinary(a) || !isBinary(b)) return false;
    const x = bytesOf(a);
    const y = bytesOf(b);
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (a instanceof Widget || b instanceof Widget) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => sameValue((a as any)[k], (b as any)[k]));
  }
  return false;
}

function bytesOf(v: ArrayBuffer | ArrayBufferView): Uint8Array {
  return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}
