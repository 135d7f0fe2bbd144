/** nbformat 4 notebooks: the few types the runner needs, and turning iopub messages into outputs. */
import type { JupyterMessage } from "./wire";

export type Output =
  | { output_type: "stream"; name: string; text: string }
  | { output_type: "display_data"; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | {
      output_type: "execute_result";
      execution_count: number | null;
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
    }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

export interface Cell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: Output[];
  execution_count?: number | null;
  id?: string;
  attachments?: unknown;
}

export interface Notebook {
  cells: Cell[];
  metadata: Record<string, any>;
  nbformat: number;
  nbformat_minor: number;
}

export function cellSource(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.map(String).join("") : typeof cell.source === "string" ? cell.source : "";
}

export function readNotebook(text: string, what: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${(e as Error).message}`);
  }
  if (!nb || !Array.isArray(nb.cells) || nb.nbformat !== 4) {
    throw new Error(`${what} is not an nbformat 4 notebook (expected {"nbformat": 4, "cells": [...]})`);
  }
  if (nb.cells.some((c) => !c || typeof c !== "object")) throw new Error(`${what}: every cell must be an object`);
  if (!nb.metadata || typeof nb.metadata !== "object") nb.metadata = {};
  return nb;
}

/**
 * Collects the outputs of cells from iopub messages, as a front end would: streams merge, display ids
 * update in place, clear_output(wait) clears before the next output.
 */
export class OutputCollector {
  private readonly displays = new Map<string, { data: Record<string, unknown>; metadata: Record<string, unknown> }[]>();
  private readonly clearPending = new Set<Output[]>();

  /** Adds a message to `outputs`; returns the output it added or changed, if any. */
  add(outputs: Output[], msg: JupyterMessage): Output | undefined {
    const c = msg.content;
    const type = msg.header.msg_type;
    if (type === "clear_output") {
      if (c.wait) this.clearPending.add(outputs);
      else outputs.length = 0;
      return undefined;
    }
    if (type === "update_display_data") {
      for (const out of this.displays.get(c.transient?.display_id) ?? []) {
        out.data = c.data ?? {};
        out.metadata = c.metadata ?? {};
      }
      return undefined;
    }
    let out: Output;
    switch (type) {
      case "stream":
        out = { output_type: "stream", name: c.name, text: String(c.text ?? "") };
        break;
      case "display_data":
        out = { output_type: "display_data", data: c.data ?? {}, metadata: c.metadata ?? {} };
        break;
      case "execute_result":
        out = {
          output_type: "execute_result",
          execution_count: c.execution_count ?? null,
          data: c.data ?? {},
          metadata: c.metadata ?? {},
        };
        break;
      case "error":
        out = { output_type: "error", ename: String(c.ename), evalue: String(c.evalue), traceback: c.traceback ?? [] };
        break;
      default:
        return undefined;
    }
    if (this.clearPending.delete(outputs)) outputs.length = 0;
    const last = outputs[outputs.length - 1];
    if (out.output_type === "stream" && last?.output_type === "stream" && last.name === out.name) {
      last.text += out.text;
      return last;
    }
    outputs.push(out);
    const displayId = c.transient?.display_id;
    if (displayId && (out.output_type === "display_data" || out.output_type === "execute_result")) {
      const list = this.displays.get(displayId) ?? [];
      list.push(out);
      this.displays.set(displayId, list);
    }
    return out;
  }
}
