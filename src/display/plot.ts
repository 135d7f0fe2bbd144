import { JUPYTER_DISPLAY, MimeBundle } from "../core/display-registry";
import { plotlyHtml } from "./plotly-html";

/**
 * A plotly figure with rich display: application/vnd.plotly.v1+json for front ends that render plotly,
 * text/html that draws with the bundled plotly.js (no network), and a text/plain summary.
 */
export class Plot {
  constructor(
    readonly data: Array<Record<string, unknown>>,
    readonly layout: Record<string, unknown>,
    /** What the plot shows, as plain text (the fallback for viewers that draw neither). */
    readonly summary: string,
    /** A static picture of the same figure, for viewers that cannot run plotly (sent as image/png). */
    readonly png?: () => Uint8Array,
  ) {}

  /** The figure as plotly's JSON: { data, layout }. */
  toJSON(): { data: Array<Record<string, unknown>>; layout: Record<string, unknown> } {
    return { data: this.data, layout: this.layout };
  }

  /** HTML that draws the plot; `standalone` inlines plotly.js (for files). */
  html(standalone = false): string {
    return plotlyHtml(this.toJSON(), standalone);
  }

  toString(): string {
    return this.summary;
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return {
      "application/vnd.plotly.v1+json": this.toJSON(),
      "text/html": this.html(),
      "text/plain": this.summary,
      ...(this.png ? { "image/png": Buffer.from(this.png()).toString("base64") } : {}),
    };
  }
}
