/**
 * Rich values: the `[Symbol.for("Jupyter.display")]()` convention (as in the Deno kernel) and the
 * normalization of MIME bundles before they go on the wire.
 */
import { JUPYTER_DISPLAY, type MimeBundle } from "./comm-api";

export function hasRichDisplay(value: unknown): value is { [JUPYTER_DISPLAY]: () => MimeBundle | Promise<MimeBundle> } {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as Record<symbol, unknown>)[JUPYTER_DISPLAY] === "function"
  );
}

/**
 * Jupyter wants binary data as base64 text: bytes (Uint8Array, Buffer, ArrayBuffer) become base64,
 * JSON values (plotly, widget views) stay objects, everything else is kept as given.
 */
export function normalizeBundle(bundle: MimeBundle): Record<string, unknown> {
  if (bundle === null || typeof bundle !== "object" || Array.isArray(bundle)) {
    throw new TypeError(`a MIME bundle must be an object like {"text/plain": "..."}, got ${typeof bundle}`);
  }
  const out: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(bundle)) {
    if (value === undefined) continue;
    if (value instanceof Uint8Array) out[mime] = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
    else if (value instanceof ArrayBuffer) out[mime] = Buffer.from(value).toString("base64");
    else out[mime] = value;
  }
  return out;
}
