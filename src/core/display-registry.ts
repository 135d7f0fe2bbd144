/**
 * Rich display without an upward import: data types (Attribution, ...) ask this registry for their MIME
 * bundle; the display module registers one renderer per kind when it loads.
 */
import type { MimeBundle } from "../../kernel-ext/src/comm-api";

// The notebook's display convention is the kernel's contract; the library uses it from there.
export { JUPYTER_DISPLAY, type MimeBundle } from "../../kernel-ext/src/comm-api";
export type BundleMaker = (value: any, options?: Record<string, unknown>) => MimeBundle;

const makers = new Map<string, BundleMaker>();

export function registerBundleMaker(kind: string, maker: BundleMaker): void {
  makers.set(kind, maker);
}

/** The bundle for `value` of `kind`; a plain-text one when no renderer is registered. */
export function bundleFor(kind: string, value: unknown, fallbackText: string): MimeBundle {
  const maker = makers.get(kind);
  if (!maker) return { "text/plain": fallbackText };
  const bundle = maker(value);
  return { "text/plain": fallbackText, ...bundle };
}
