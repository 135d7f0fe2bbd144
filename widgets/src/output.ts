/**
 * Output: an area that holds displayed results, filled from the kernel side. Callbacks that run after
 * their cell finished (slider observers) write here instead of into whichever cell runs at the time:
 * `out.capture(fn)` sends what `fn` prints, and the error it throws, to this area (as ipywidgets'
 * `with out:` does).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { inspect } from "node:util";
import { bundleOf } from "../../src/display/bundles";
import { domDefaults } from "./dom";
import { OUTPUT_MODULE, widgetClass } from "./widget";

export type OutputItem =
  | { output_type: "display_data"; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string };

/** The Output that the code running now (and everything it awaits) prints into, if any. */
const capturing = new AsyncLocalStorage<Output>();

export class Output extends widgetClass(
  { model: "OutputModel", module: OUTPUT_MODULE, view: "OutputView" },
  {
    ...domDefaults(),
    msg_id: "",
    outputs: [] as OutputItem[],
  },
) {
  /** Show each value (widgets, library objects, text) below what is already there. */
  append(...values: unknown[]): void {
    this.outputs = [
      ...this.outputs,
      ...values.map((v): OutputItem => ({ output_type: "display_data", data: bundleOf(v, { as: "cell" }), metadata: {} })),
    ];
  }

  appendStdout(text: string): void {
    this.appendStream("stdout", text);
  }

  appendStderr(text: string): void {
    this.appendStream("stderr", text);
  }

  /** Show an error the way a cell shows one, without stopping anything. */
  appendError(err: unknown): void {
    this.appendStderr(err instanceof Error ? `${err.name}: ${err.message}\n` : `${inspect(err)}\n`);
  }

  clear(): void {
    this.outputs = [];
  }

  /**
   * Run `fn` with its console output (and that of everything it awaits) going to this area; an error it
   * throws or rejects with is shown here too and not passed on, so a callback cannot fail another cell.
   */
  capture<T>(fn: () => T): T | undefined {
    hookStreams();
    return capturing.run(this, () => {
      try {
        const result = fn();
        if (result instanceof Promise) return result.catch((err) => this.appendError(err)) as T;
        return result;
      } catch (err) {
        this.appendError(err);
        return undefined;
      }
    });
  }

  private appendStream(name: "stdout" | "stderr", text: string): void {
    const last = this.outputs[this.outputs.length - 1];
    // consecutive writes to one stream read as one block, as in a cell
    if (last?.output_type === "stream" && last.name === name) {
      this.outputs = [...this.outputs.slice(0, -1), { ...last, text: last.text + text }];
    } else {
      this.outputs = [...this.outputs, { output_type: "stream", name, text }];
    }
  }
}

const HOOKED = Symbol("deepviz.output.hooked");

/**
 * Put a hook in front of process.stdout/stderr.write that sends writes made inside capture() to their
 * Output. Checked on every capture: the kernel installs its own writers for each cell, and the hook goes
 * in front of whichever is current.
 */
function hookStreams(): void {
  const decoder = new TextDecoder();
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name];
    if ((stream.write as unknown as Record<symbol, boolean>)[HOOKED]) continue;
    const underlying = stream.write;
    const hooked = function (chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      const out = capturing.getStore();
      if (!out || out.closed) return (underlying as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      const text = typeof chunk === "string" ? chunk : decoder.decode(chunk);
      if (name === "stdout") out.appendStdout(text);
      else out.appendStderr(text);
      const done = rest.find((r) => typeof r === "function");
      if (done) process.nextTick(done as () => void);
      return true;
    };
    Object.defineProperty(hooked, HOOKED, { value: true });
    stream.write = hooked as typeof stream.write;
  }
}
