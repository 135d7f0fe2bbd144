/** Binary state arrives as DataView; views want typed arrays (copied when alignment demands it). */
export function bytes(v: DataView | ArrayBuffer | Uint8Array | null | undefined): Uint8Array | null {
  if (!v) return null;
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export function floats(v: DataView | ArrayBuffer | Uint8Array | null | undefined): Float32Array | null {
  const b = bytes(v);
  if (!b) return null;
  if (b.byteOffset % 4 === 0) return new Float32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
  return new Float32Array(b.slice().buffer);
}

export const bytesSerializer = { deserialize: (v: any) => bytes(v) };
export const floatsSerializer = { deserialize: (v: any) => floats(v) };

/** Tell pages and tests that a canvas shows new content (used by the end-to-end test and benchmark). */
export function announceDraw(el: HTMLElement, what: string): void {
  const n = Number(el.dataset.draws ?? "0") + 1;
  el.dataset.draws = String(n);
  el.dispatchEvent(new CustomEvent("deepviz:drawn", { bubbles: true, detail: { what, n, time: performance.now() } }));
}
