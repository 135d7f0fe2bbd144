import * as tf from "@tensorflow/tfjs";
import { escapeHtml } from "../../kernel-ext/src/comm-api";
import { JUPYTER_DISPLAY, MimeBundle } from "../core/display-registry";
import { fail } from "../errors";

export interface SummaryRow {
  name: string;
  className: string;
  outputShape: string;
  params: number;
  trainable: boolean;
}

function shapeText(s: unknown): string {
  if (Array.isArray(s) && s.length > 0 && Array.isArray(s[0])) return s.map(shapeText).join(", ");
  if (Array.isArray(s)) return `[${s.map((d) => (d === null ? "null" : d)).join(", ")}]`;
  return String(s);
}

/** A model's layers as a table: name, class, output shape, parameters. Shows as HTML in notebooks. */
export class ModelSummary {
  readonly rows: SummaryRow[];
  readonly totalParams: number;
  readonly trainableParams: number;

  constructor(readonly model: tf.LayersModel) {
    this.rows = model.layers.map((l) => {
      let outputShape: string;
      try {
        outputShape = shapeText(l.outputShape);
      } catch {
        outputShape = "?";
      }
      return { name: l.name, className: l.getClassName(), outputShape, params: l.countParams(), trainable: l.trainable };
    });
    this.totalParams = this.rows.reduce((a, r) => a + r.params, 0);
    this.trainableParams = model.trainableWeights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0);
  }

  text(): string {
    const head = ["Layer", "Class", "Output shape", "Params"];
    const body = this.rows.map((r) => [r.name, r.className, r.outputShape, r.params.toLocaleString("en-US")]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
    return [
      `Model "${this.model.name}"`,
      line(head),
      widths.map((w) => "-".repeat(w)).join("  "),
      ...body.map(line),
      `Total params: ${this.totalParams.toLocaleString("en-US")} (trainable ${this.trainableParams.toLocaleString("en-US")})`,
    ].join("\n");
  }

  html(): string {
    const td = "padding:3px 10px;border-bottom:1px solid #ddd;";
    const rows = this.rows
      .map(
        (r) =>
          `<tr><td style="${td}">${escapeHtml(r.name)}</td><td style="${td}">${escapeHtml(r.className)}</td>` +
          `<td style="${td}font-family:monospace">${escapeHtml(r.outputShape)}</td>` +
          `<td style="${td}text-align:right">${r.params.toLocaleString("en-US")}</td></tr>`,
      )
      .join("\n");
    return `<table class="deepviz-model-summary" style="border-collapse:collapse;font-size:13px">
<caption style="text-align:left;font-weight:bold;padding:4px 0">Model "${escapeHtml(this.model.name)}"</caption>
<thead><tr><th style="${td}text-align:left">Layer</th><th style="${td}text-align:left">Class</th><th style="${td}text-align:left">Output shape</th><th style="${td}text-align:right">Params</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><td colspan="4" style="padding:4px 10px">Total params: ${this.totalParams.toLocaleString("en-US")} (trainable ${this.trainableParams.toLocaleString("en-US")})</td></tr></tfoot>
</table>`;
  }

  toString(): string {
    return this.text();
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return { "text/html": this.html(), "text/plain": this.text() };
  }
}

export function modelSummary(model: tf.LayersModel): ModelSummary {
  if (!(model instanceof tf.LayersModel)) fail("modelSummary needs a tf.LayersModel (tf.sequential() or tf.model()).");
  return new ModelSummary(model);
}
