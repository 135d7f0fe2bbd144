/** Turn any value into a MIME bundle the way a notebook cell would show it. */
import { inspect } from "node:util";
import type { MimeBundle } from "../../kernel-ext/src/comm-api";
import { JUPYTER_DISPLAY, Widget } from "./widget";

export type { MimeBundle };

export function bundleOf(value: unknown): MimeBundle {
  if (value instanceof Widget) return value.mimeBundle();
  if (value && typeof value === "object" && typeof (value as any)[JUPYTER_DISPLAY] === "function") {
    return (value as any)[JUPYTER_DISPLAY]();
  }
  if (typeof value === "string") return { "text/plain": value };
  return { "text/plain": inspect(value, { depth: 3 }) };
}
