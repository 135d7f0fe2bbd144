import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { graphInfo } from "./graph";
import { isGraphModel, Model } from "./kind";
import { LayerRef, modelLayers, resolveLayer } from "./layers";

/**
 * A model's layer weights, replaceable one layer at a time and restorable exactly: what a
 * parameter-randomization test needs from either kind of model. For a GraphModel a layer is a node
 * and its weights are its float constant inputs of rank ≥ 1 (kernels, biases, scales; not axes,
 * shapes or the scalar 3 of a hard-swish). Call `dispose` when done: it restores the model too.
 */
export interface LayerWeights {
  /** Every layer with weights, from the output side to the input. */
  readonly layers: string[];
  /** Replaces the layer's weights by `draw(weight)` for each of them (the new tensors are owned here). */
  replace(layer: string, draw: (weight: tf.Tensor) => tf.Tensor): void;
  /** Puts back every weight as it was when this was made, bit for bit. */
  restore(): void;
  /** Restores, then frees what this holds. */
  dispose(): void;
}

/** The layers named by `refs` (default every layer with weights, output side first), each checked to have weights. */
export function layerWeights(model: Model, refs?: LayerRef[]): LayerWeights {
  if (refs?.length === 0)
    fail("layers is an empty list; name the layers to randomize, or leave it out for every layer with weights.");
  const weights = isGraphModel(model) ? graphWeights(model) : layersModelWeights(model);
  if (refs) {
    const names = refs.map((r) => resolveLayer(model, r).name);
    for (const n of names)
      if (!weights.layers.includes(n)) {
        weights.dispose();
        fail(`layer "${n}" has no weights to randomize; choose one of ${weights.layers.join(", ")}.`);
      }
    (weights as { layers: string[] }).layers = names;
  }
  if (!weights.layers.length) {
    weights.dispose();
    fail("the model has no layer with weights to randomize.");
  }
  return weights;
}

function layersModelWeights(model: tf.LayersModel): LayerWeights {
  const layers = modelLayers(model)
    .filter((l) => l.countParams() > 0)
    .reverse();
  const originals = tf.tidy(() => model.getWeights().map((w) => w.clone()));
  return {
    layers: layers.map((l) => l.name),
    replace(name, draw) {
      const layer = layers.find((l) => l.name === name)!;
      const fresh = layer.getWeights().map(draw);
      layer.setWeights(fresh);
      tf.dispose(fresh);
    },
    restore() {
      model.setWeights(originals);
    },
    dispose() {
      this.restore();
      tf.dispose(originals);
    },
  };
}

type WeightMap = Record<string, tf.Tensor[]>;

/**
 * The executor's weight map is swapped whole (its setter records which tensors are weights, so the
 * executor never frees them as intermediates); the original map, never written to, is the restore.
 */
function graphWeights(model: tf.GraphModel): LayerWeights {
  const executor = (model as unknown as { executor: { weightMap: WeightMap } }).executor;
  const original = executor.weightMap;
  const info = graphInfo(model);
  const weightsOf = (name: string) =>
    info.nodes
      .get(name)!
      .inputs.filter((n) => n.op === "Const" && original[n.name]?.length === 1)
      .map((n) => n.name)
      .filter((n) => original[n][0].dtype === "float32" && original[n][0].rank >= 1);
  const layers = [...info.order].reverse().filter((n) => weightsOf(n).length > 0);
  let fresh: tf.Tensor[] = [];
  return {
    layers,
    replace(name, draw) {
      const current = executor.weightMap;
      const replaced = Object.fromEntries(
        weightsOf(name).map((w) => {
          const t = draw(current[w][0]);
          fresh.push(t);
          return [w, [t]];
        }),
      );
      executor.weightMap = { ...current, ...replaced };
    },
    restore() {
      executor.weightMap = original;
      tf.dispose(fresh);
      fresh = [];
    },
    dispose() {
      this.restore();
    },
  };
}
