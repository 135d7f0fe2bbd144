import * as tf from "@tensorflow/tfjs";
import { fail } from "../errors";
import { feeds, graphInfo, graphNode, outputNode, scoreNode } from "./graph";
import { withExplainingOps } from "./graph-ops";
import type { ForwardOptions, ForwardPass } from "./contract";

/**
 * The interpreter contract (see forward in interpreter.ts) for a tf.GraphModel, where "layer" means
 * a node name. Built on model.execute: feeding a value for a node makes the executor skip whatever
 * produces it, so "start at a node" is a feed, and "inject at a node" is: compute the node, feed
 * its value plus the injected tensor, and run on from there. Injected nodes are handled in execution
 * order, each stage feeding the next, so a gradient w.r.t. one injection sees every path after it.
 */
export function forwardGraph(model: tf.GraphModel, x: tf.Tensor, options: ForwardOptions = {}): ForwardPass {
  const info = graphInfo(model);
  const names = (list: Iterable<string>) => [...list].map((n) => graphNode(model, n).name);
  const capture = names(options.capture ?? []);
  const inject = new Map(
    [...(options.inject ?? new Map<string, tf.Tensor>())].map(([n, t]) => [graphNode(model, n).name, t] as [string, tf.Tensor]),
  );
  const startAt = options.startAt && { layer: graphNode(model, options.startAt.layer).name, value: options.startAt.value };
  const end = options.stopAt
    ? graphNode(model, options.stopAt).name
    : (options.logits ?? true)
      ? scoreNode(model)
      : outputNode(model);
  if (startAt && startAt.layer !== end && !feeds(info, startAt.layer, end))
    fail(`startAt node "${startAt.layer}" is not on the path to "${end}".`);
  for (const n of [...capture, ...inject.keys()]) {
    if (n !== end && n !== info.input && !feeds(info, n, end))
      fail(`node "${n}" was not reached in this pass: it does not feed "${end}".`);
  }
  const run = (rowX: tf.Tensor, rowInject: Map<string, tf.Tensor>, rowStart?: tf.Tensor) =>
    withExplainingOps(
      model,
      options.relu ?? "normal",
      () => runStages(model, rowX, end, capture, rowInject, startAt && rowStart && { layer: startAt.layer, value: rowStart }),
      options.nodeRule,
    );

  const batch = x.shape[0] ?? 1;
  if (info.inputShape[0] !== 1 || batch === 1) return run(x, inject, startAt?.value);
  // A graph traced for batch 1 (common for detectors) runs one row at a time.
  const rows = Array.from({ length: batch }, (_, r) => {
    const row = <T extends tf.Tensor>(t: T) => tf.slice(t, r, 1) as T;
    return run(row(x), new Map([...inject].map(([n, t]) => [n, row(t)] as [string, tf.Tensor])), startAt && row(startAt.value));
  });
  const activations = new Map(capture.map((n) => [n, tf.concat(rows.map((p) => p.activations.get(n)!))] as [string, tf.Tensor]));
  return { output: tf.concat(rows.map((p) => p.output)), activations };
}

function runStages(
  model: tf.GraphModel,
  x: tf.Tensor,
  end: string,
  capture: string[],
  inject: Map<string, tf.Tensor>,
  startAt?: { layer: string; value: tf.Tensor },
): ForwardPass {
  const info = graphInfo(model);
  const fed: Record<string, tf.Tensor> = { [info.input]: x };
  if (startAt) fed[startAt.layer] = startAt.value;
  const activations = new Map<string, tf.Tensor>();
  const execute = (outputs: string[]) =>
    guarded(() => {
      const result = model.execute({ ...fed }, outputs);
      return Array.isArray(result) ? result : [result]; // one name gives a tensor, several an array
    });
  const stages = [...inject.keys()].sort((a, b) => position(info, a) - position(info, b));
  for (const node of stages) {
    const value = fed[node] ?? execute([node])[0];
    fed[node] = tf.add(value, inject.get(node)!);
  }
  const wanted = [...new Set([end, ...capture])].filter((n) => !(n in fed));
  const values = wanted.length ? execute(wanted) : [];
  const valueOf = (n: string) => fed[n] ?? values[wanted.indexOf(n)];
  for (const n of capture) activations.set(n, valueOf(n));
  return { output: valueOf(end), activations };
}

const position = (info: ReturnType<typeof graphInfo>, name: string) => info.position.get(name) ?? -1;

/** model.execute with tfjs's errors for a graph it cannot run turned into a DeepVizError. */
function guarded<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (/executeAsync|dynamic op|Cannot compute the outputs/.test(message)) {
      fail(`this GraphModel cannot be run node by node here: ${message}`);
    }
    throw e;
  }
}
