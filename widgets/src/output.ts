/**
 * Output: an area that holds displayed results, filled from the kernel side. Callbacks that run after
 * their cell finished (slider observers) write here instead of into whichever cell runs at the time.
 */
import { inspect } from "node:util";
import { bundleOf } from "../../src/display/bundles";
import { domDefaults } from "./dom";
import { OUTPUT_MODULE, widgetClass } from "./widget";

export type OutputItem =
  | { output_type: "display_data"; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string };

export class Output extends widgetClass({ model: "OutputModel", module: OUTPUT_MODULE, view: "OutputView" }, {
  ...domDefaults(),
  msg_id: "",
  outputs: [] as OutputItem[],
}) {
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

  private appendStream(name: "stdout" | "stderr", text: string): void {
    this.outputs = [...this.outputs, { output_type: "stream", name, text }];
  }
}
