/**
 * The type checker's thread: tslab's converter (a TypeScript program over lib.d.ts, @types/node and
 * whatever cells import) is built here, so its seconds of start-up do not hold up the first cells.
 * Requests arrive on one port and are handled in order: `replay` type-checks a cell that already ran
 * untyped (its declarations become the context of later cells; its type errors are sent back), `call`
 * is a converter call the main thread waits for (see staged-converter.ts).
 */
import type { MessagePort } from "worker_threads";
import { setPriority } from "os";
import { workerData } from "worker_threads";
import { useCompileCache } from "./compile-cache";

export interface CheckerThreadData {
  isJs: boolean;
  cwd: string;
  port: MessagePort;
  /** Niceness of this thread: 10 while cells run untyped (they come first), 0 when cells wait for the checker. */
  nice: number;
  /** Int32 set to 1 after each reply to a `call`, so the waiting main thread wakes up. */
  replied: SharedArrayBuffer;
}

/** Earlier declarations: a quick cell's id (its declarations are kept here) or tslab's own text. */
export type Decls = { quick: number } | { text: string };

export type ToChecker =
  | { kind: "replay"; id: number; base: Decls; src: string; names: string[] }
  | { kind: "call"; method: "convert" | "inspect" | "complete"; decls: Decls; args: [string, ...unknown[]] }
  | { kind: "add-module"; args: [string, string, unknown] }
  /** Close the program's file watchers, then end (the thread's loop empties). */
  | { kind: "close" };

export type FromChecker =
  | { kind: "ready" }
  | { kind: "replayed"; id: number; src: string; errors: string[] }
  | { kind: "reply"; value?: unknown; error?: string };

const data = workerData as CheckerThreadData;
// Cells come first: on a busy machine the checker takes the CPU they leave (Linux: this thread only).
if (data.nice) setPriority(0, data.nice);
useCompileCache();
// Required, not imported: after the compile cache is in place.
const ts = require("@tslab/typescript-for-tslab") as typeof import("@tslab/typescript-for-tslab");
const { createConverter } = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
const { installSelfReference } = require("./self-reference") as typeof import("./self-reference");
const { onlyNodeTypesByDefault } = require("./type-roots") as typeof import("./type-roots");

installSelfReference(ts as never, data.cwd);
onlyNodeTypesByDefault(ts as never);
let converter: ReturnType<typeof createConverter>;
try {
  converter = createConverter({ isJS: data.isJs, isBrowser: false });
} catch (e) {
  // Every call is answered with this error (a waiting main thread must never hang).
  const error = `the type checker could not start: ${(e as Error)?.stack ?? e}`;
  converter = new Proxy({} as typeof converter, {
    get: () => () => {
      throw new Error(error);
    },
  });
}
const replied = new Int32Array(data.replied);
/** Declarations after each quick cell, as the checker sees them. */
const quickDecls = new Map<number, string>();

const post = (m: FromChecker) => data.port.postMessage(m);
const declsOf = (d: Decls) => ("text" in d ? d.text : (quickDecls.get(d.quick) ?? ""));

function replay(id: number, base: Decls, src: string, names: string[]): void {
  const before = declsOf(base);
  let errors: string[];
  let after: string | undefined;
  try {
    const result = converter.convert(before, src);
    errors = result.diagnostics.map((d) => `${d.start.line + 1}:${d.start.character + 1} - ${d.messageText}`);
    if (errors.length === 0) after = result.declOutput ?? "";
    // A cell with type errors still ran: later cells see its names, untyped.
    else after = converter.convert(before, names.map((n) => `let ${n}: any;`).join("\n")).declOutput;
  } catch (e) {
    errors = [`the type checker failed: ${(e as Error)?.message ?? e}`];
  }
  quickDecls.set(id, after ?? before);
  post({ kind: "replayed", id, src, errors });
}

function answer(m: Exclude<ToChecker, { kind: "replay" } | { kind: "close" }>): void {
  try {
    const value =
      m.kind === "add-module"
        ? converter.addModule(...(m.args as Parameters<typeof converter.addModule>))
        : (converter[m.method] as (decls: string, ...rest: unknown[]) => unknown)(declsOf(m.decls), ...m.args);
    // Completions carry TypeScript's own objects: only their data crosses threads.
    post({ kind: "reply", value: value === undefined ? undefined : JSON.parse(JSON.stringify(value)) });
  } catch (e) {
    post({ kind: "reply", error: (e as Error)?.stack ?? String(e) });
  }
  Atomics.store(replied, 0, 1);
  Atomics.notify(replied, 0);
}

data.port.on("message", (m: ToChecker) => {
  if (m.kind === "replay") replay(m.id, m.base, m.src, m.names);
  else if (m.kind === "close") {
    // an orderly end: the watch program's thousands of file watchers are closed here, not left for
    // Node to free as a terminated thread is torn down
    converter.close();
    data.port.close();
  } else answer(m);
});
post({ kind: "ready" });
