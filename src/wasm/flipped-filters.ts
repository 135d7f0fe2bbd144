import * as tf from "@tensorflow/tfjs";
import { WasmBackend } from "./wasm-heap";

/**
 * Flipped copies of filters, kept while their filter lives. A model's filters are reused on every
 * gradient, and keeping the copy (with the same wasm data id) also lets the wasm Conv2D kernel
 * reuse its XNNPACK operator, whose weight packing would otherwise be redone on every call.
 * Copies are freed when the filter's data is freed: we wrap the backend's disposeData.
 */
type Flip = (backend: WasmBackend, filter: tf.TensorInfo) => tf.TensorInfo;

const copies = new Map<object, Map<string, tf.TensorInfo>>();
const wrapped = new WeakSet<object>();
let originalDispose: ((dataId: object, force?: boolean) => boolean) | null = null;

function releaseCopiesOf(dataId: object): void {
  const entry = copies.get(dataId);
  if (!entry || !originalDispose) return;
  copies.delete(dataId);
  for (const copy of entry.values()) originalDispose(copy.dataId, true);
}

function watchDisposals(backend: WasmBackend): void {
  if (wrapped.has(backend)) return;
  wrapped.add(backend);
  const original = backend.disposeData.bind(backend);
  originalDispose = original;
  backend.disposeData = (dataId: object, force?: boolean) => {
    const freed = original(dataId, force);
    if (freed) releaseCopiesOf(dataId);
    return freed;
  };
}

/** The flipped filter for `filter`, computed once per filter data (and kind of flip). */
export function flippedFilter(backend: WasmBackend, filter: tf.TensorInfo, kind: string, flip: Flip): tf.TensorInfo {
  watchDisposals(backend);
  const key = `${kind}:${filter.shape.join(",")}`;
  let entry = copies.get(filter.dataId);
  const hit = entry?.get(key);
  if (hit) return hit;
  const copy = flip(backend, filter);
  if (!entry) copies.set(filter.dataId, (entry = new Map()));
  entry.set(key, copy);
  return copy;
}

/** Frees every kept copy (when the fast kernels are switched off). */
export function releaseAllFlippedFilters(): void {
  for (const dataId of [...copies.keys()]) releaseCopiesOf(dataId);
}

/** How many filters have kept copies (for tests). */
export function flippedFilterCount(): number {
  return copies.size;
}
