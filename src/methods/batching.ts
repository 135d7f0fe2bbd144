import { Model } from "../model/kind";
import { modelLayers } from "../model/layers";

/** Bytes of activations one example produces across all layers, from the static output shapes. */
export function activationBytesPerExample(model: Model): number {
  let floats = 0;
  for (const layer of modelLayers(model)) {
    const s = layer.outputShape;
    const shapes = (Array.isArray(s[0]) ? s : [s]) as (number | null)[][];
    for (const shape of shapes) floats += shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
  }
  return floats * 4;
}

/** Rows per forward/backward batch so that the recorded activations stay near `budgetBytes`. */
export function autoBatchSize(model: Model, wanted: number, budgetBytes = 256 * 2 ** 20): number {
  // the tape keeps forward activations and their gradients: about three copies
  const perRow = Math.max(1, activationBytesPerExample(model) * 3);
  return Math.max(1, Math.min(wanted, Math.floor(budgetBytes / perRow)));
}

/** Calls `run(start, end)` for consecutive chunks of [0, total). */
export function inChunks(total: number, size: number, run: (start: number, end: number) => void): void {
  for (let start = 0; start < total; start += size) run(start, Math.min(total, start + size));
}
