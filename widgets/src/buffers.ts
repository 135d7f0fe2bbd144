/**
 * Binary values inside widget state (protocol 2.1.0): each one is taken out of the JSON, its path is
 * recorded in `buffer_paths`, and its bytes travel as a separate frame in the same order.
 */
import { isPlainPath } from "../../kernel-ext/src/comm-api";

export type BufferPath = Array<string | number>;

export function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/** Bytes of a binary value as a view, without copying. */
export function asView(value: ArrayBuffer | ArrayBufferView): ArrayBufferView {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : value;
}

/**
 * Split `state` into JSON and buffers. The input is not modified: containers on the way to a buffer are
 * copied. A binary value in an object is removed (key deleted); in a list it becomes `null`.
 */
export function removeBuffers(state: Record<string, unknown>): {
  state: Record<string, unknown>;
  buffer_paths: BufferPath[];
  buffers: ArrayBufferView[];
} {
  const buffer_paths: BufferPath[] = [];
  const buffers: ArrayBufferView[] = [];

  function walk(value: unknown, path: BufferPath): unknown {
    if (Array.isArray(value)) {
      let copy: unknown[] | null = null;
      value.forEach((item, i) => {
        if (isBinary(item)) {
          copy ??= value.slice();
          copy[i] = null;
          buffer_paths.push([...path, i]);
          buffers.push(asView(item));
        } else if (item !== null && typeof item === "object") {
          const inner = walk(item, [...path, i]);
          if (inner !== item) (copy ??= value.slice())[i] = inner;
        }
      });
      return copy ?? value;
    }
    if (value !== null && typeof value === "object" && !isBinary(value)) {
      const obj = value as Record<string, unknown>;
      let copy: Record<string, unknown> | null = null;
      for (const key of Object.keys(obj)) {
        const item = obj[key];
        if (isBinary(item)) {
          copy ??= { ...obj };
          delete copy[key];
          buffer_paths.push([...path, key]);
          buffers.push(asView(item));
        } else if (item !== null && typeof item === "object") {
          const inner = walk(item, [...path, key]);
          if (inner !== item) (copy ??= { ...obj })[key] = inner;
        }
      }
      return copy ?? value;
    }
    return value;
  }

  const json = walk(state, []) as Record<string, unknown>;
  return { state: json, buffer_paths, buffers };
}

/**
 * Put buffers back into `state` (in place) at their paths; the inverse of removeBuffers. The paths come
 * from the front end: each must be plain (no `__proto__`, `constructor`, `prototype`) and is followed
 * through own properties only, so a message cannot reach any prototype.
 */
export function putBuffers(state: Record<string, unknown>, paths: unknown, buffers: ArrayBufferView[]): void {
  if (!Array.isArray(paths)) throw new Error("widget message: buffer_paths must be a list of paths");
  if (paths.length > buffers.length) {
    throw new Error(`widget message names ${paths.length} buffer paths but carries ${buffers.length} buffers`);
  }
  const bad = paths.find((p) => !isPlainPath(p));
  if (bad !== undefined)
    throw new Error(`widget message: buffer path ${JSON.stringify(bad)} is not a list of plain keys and indices`);
  (paths as BufferPath[]).forEach((path, i) => {
    let node: any = state;
    for (let j = 0; j < path.length - 1; j++) {
      const next = Object.prototype.hasOwnProperty.call(node, path[j]) ? node[path[j]] : undefined;
      if (next === undefined || next === null) node[path[j]] = typeof path[j + 1] === "number" ? [] : {};
      else if (typeof next !== "object")
        throw new Error(`widget message: buffer path ${JSON.stringify(path)} runs through a ${typeof next}`);
      node = node[path[j]];
    }
    const view = buffers[i];
    node[path[path.length - 1]] =
      view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  });
}
