/**
 * The leak-and-error sweep: every registered method × every way a call can go wrong, and the other
 * public functions with the inputs that used to give raw tfjs errors or silent nonsense. Each case must
 * end in a DeepVizError (never a raw error, never silent acceptance) and leave tf.memory().numTensors as
 * it found it. The counts are printed for the record.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../src";
import { smallCnn } from "../helpers/models";

interface Outcome {
  name: string;
  /** "clear": DeepVizError; "raw": another error; "accepted": no error at all. */
  result: "clear" | "raw" | "accepted";
  message: string;
  leaked: number;
}

async function attempt(name: string, run: () => unknown, cleanup: () => void = () => undefined): Promise<Outcome> {
  const before = tf.memory().numTensors;
  let result: Outcome["result"] = "accepted";
  let message = "";
  try {
    const value = await run();
    // whatever an accepted call returned is the caller's: dispose it before counting
    if (value && typeof (value as { dispose?: unknown }).dispose === "function") (value as { dispose(): void }).dispose();
  } catch (e) {
    result = e instanceof dv.DeepVizError ? "clear" : "raw";
    message = `${(e as Error)?.name}: ${(e as Error)?.message ?? e}`;
  }
  cleanup();
  return { name, result, message, leaked: tf.memory().numTensors - before };
}

/** Options that make a quick run of `spec` valid on the 8×8 CNN (failures are then added one at a time). */
function validOptions(spec: dv.MethodSpec, model: tf.LayersModel, x: tf.Tensor): Record<string, unknown> {
  const o: Record<string, unknown> = { ...spec.defaults?.(model, x) };
  if (spec.needsLayer) o.layer = "conv2";
  if (spec.name === "integratedGradients") o.steps = 4;
  if (spec.name === "smoothGrad") o.samples = 2;
  return o;
}

/** Methods that explain a class (the registry's summaries say "no target" / "no class" for the others). */
const targeted = (spec: dv.MethodSpec) => !/no target|no class/.test(spec.summary);

describe("hostile sweep: every public function, every failure kind — a DeepVizError and no leak", function () {
  this.timeout(600_000);
  const outcomes: Outcome[] = [];
  before(() => dv.backend());
  after(() => {
    const clear = outcomes.filter((o) => o.result === "clear").length;
    const leaks = outcomes.filter((o) => o.leaked !== 0).length;
    console.log(
      `      sweep: ${outcomes.length} cases, ${clear} clear DeepVizErrors, ${outcomes.length - clear} not, ${leaks} leaking`,
    );
  });

  function check(list: Outcome[]): void {
    outcomes.push(...list);
    const bad = list.filter((o) => o.result !== "clear" || o.leaked !== 0);
    assert.deepEqual(
      bad.map((o) => `${o.name}: ${o.result}${o.leaked ? `, leaked ${o.leaked}` : ""} ${o.message}`),
      [],
    );
  }

  for (const spec of dv.listMethods()) {
    it(`${spec.name}`, async () => {
      const model = smallCnn(3);
      const x = tf.tidy(() => tf.randomUniform([8, 8, 3], 0, 1, "float32", 5));
      const ok = validOptions(spec, model, x);
      const run =
        (input: unknown, extra: Record<string, unknown> = {}, m: unknown = model) =>
        () =>
          spec.run(m as tf.LayersModel, input as tf.Tensor, { ...ok, ...extra });
      const cases: [string, () => unknown, (() => void)?][] = [];
      const add = (kind: string, fn: () => unknown, cleanup?: () => void) => cases.push([`${spec.name} × ${kind}`, fn, cleanup]);
      if (targeted(spec)) {
        add(
          "target function that throws",
          run(x, {
            target: () => {
              throw new Error("boom");
            },
          }),
        );
        add(
          "target function returning the wrong shape",
          run(x, { target: (out: tf.Tensor) => tf.sum(out).reshape([1, 1]).tile([1, 3]) }),
        );
        add("target function returning a number", run(x, { target: () => 3 }));
        add("target 1.5", run(x, { target: 1.5 }));
        add("target NaN", run(x, { target: NaN }));
        add("target out of range", run(x, { target: 99 }));
        add("target as a string", run(x, { target: "cat" }));
      }
      add("empty batch", run(tf.zeros([0, 8, 8, 3])));
      add("NaN input", run(tf.fill([8, 8, 3], NaN)));
      add("wrong shape", run(tf.zeros([8, 8, 2])));
      add("not a tensor", run([[1, 2, 3]]));
      add("integer input", run(tf.zeros([8, 8, 3], "int32")));
      add("options not an object", () => spec.run(model, x, "fast" as never));
      if (spec.needsLayer) add("unknown layer", run(x, { layer: "nope" }));
      const gone = tf.randomUniform([8, 8, 3]);
      gone.dispose();
      add("disposed input", run(gone));
      const dead = smallCnn(4);
      dead.dispose();
      add("disposed model", run(x, {}, dead));
      add("not a model", run(x, {}, { predict: 1 }));
      for (const [name, fn, cleanup] of cases) outcomes.push(await attempt(name, fn, cleanup));
      // the cases the library used to accept silently or answer with the wrong reason
      const says: [string, RegExp][] = [
        ["target 1.5", /integer class index; got 1.5/],
        ["target NaN", /integer class index/],
        ["empty batch", /empty batch/],
        ["disposed model", /has been disposed/],
        ["disposed input", /already disposed/],
        ["options not an object", /options must be an object|needs a layer|layer/],
        ["target function that throws", /target function threw Error: boom/],
      ];
      for (const [kind, pattern] of says) {
        const o = outcomes.find((c) => c.name === `${spec.name} × ${kind}`);
        if (o) assert.match(o.message, pattern, o.name);
      }
      x.dispose();
      model.dispose();
      check(outcomes.splice(outcomes.length - cases.length));
    });
  }

  it("the unregistered model functions: layerGradients, sanityCheck, activationMaximization, listLayers, modelSummary, plots", async () => {
    const model = smallCnn(3);
    const x = tf.tidy(() => tf.randomUniform([8, 8, 3]));
    const dead = smallCnn(4);
    dead.dispose();
    const throws = () => {
      throw new Error("boom");
    };
    const empty = tf.zeros([0, 8, 8, 3]);
    const list = [
      await attempt("layerGradients × target function that throws", () => dv.layerGradients(model, x, { target: throws })),
      await attempt("layerGradients × empty batch", () => dv.layerGradients(model, empty)),
      await attempt("layerGradients × disposed model", () => dv.layerGradients(dead, x)),
      await attempt("layerGradients × target 1.5", () => dv.layerGradients(model, x, { target: 1.5 })),
      await attempt("sanityCheck × disposed model", () => dv.sanityCheck(dead, x)),
      await attempt("sanityCheck × empty batch", () => dv.sanityCheck(model, empty)),
      await attempt("activationMaximization × disposed model", () => dv.activationMaximization(dead, { target: 0, steps: 2 })),
      await attempt("activationMaximization × target 1.5", () => dv.activationMaximization(model, { target: 1.5, steps: 2 })),
      await attempt("activationMaximization × no options", () => dv.activationMaximization(model, undefined as never)),
      await attempt("listLayers(null)", () => dv.listLayers(null as never)),
      await attempt("modelSummary(null)", () => dv.modelSummary(null as never)),
      await attempt("plots.topK(null)", () => dv.plots.topK(null as never)),
    ];
    empty.dispose();
    x.dispose();
    model.dispose();
    check(list);
  });

  it("counts far beyond reason are refused up front, not run for ever", async () => {
    const model = smallCnn(3);
    const x = tf.tidy(() => tf.randomUniform([8, 8, 3]));
    const list = [
      await attempt("integratedGradients steps 100001", () => dv.integratedGradients(model, x, { steps: 100_001 })),
      await attempt("integratedGradients steps 1e6", () => dv.integratedGradients(model, x, { steps: 1e6 })),
      await attempt("smoothGrad samples 1e6", () => dv.smoothGrad(model, x, { samples: 1e6 })),
      await attempt("activationMaximization steps 1e7", () => dv.activationMaximization(model, { target: 0, steps: 1e7 })),
    ];
    x.dispose();
    model.dispose();
    check(list);
  });

  it("the other public functions: render, PNG, embedding, similarity, sanity check", async () => {
    const model = smallCnn(3);
    const x = tf.tidy(() => tf.randomUniform([8, 8, 3]));
    const sal = await dv.saliency(model, x);
    const nan = tf.fill([8, 8], NaN);
    const list = [
      await attempt("render.attribution(null)", () => dv.render.attribution(null as never)),
      await attempt("render.attribution of a disposed attribution", async () => {
        const a = await dv.saliency(model, x);
        a.dispose();
        return dv.render.attribution(a);
      }),
      await attempt("render.attribution of an all-NaN map", () => dv.render.attribution(nan)),
      await attempt("render.attribution of a plain map with too few numbers", () =>
        dv.render.attribution({ height: 4, width: 4, data: new Float32Array(3) }),
      ),
      await attempt("render.encodePng(null)", () => (dv.render as any).encodePng(null)),
      await attempt("render.encodePng of the wrong length", () =>
        (dv.render as any).encodePng({ width: 4, height: 4, data: new Uint8ClampedArray(3) }),
      ),
      await attempt("embeddingPng({})", () => dv.embeddingPng({} as never)),
      await attempt("ssim of unequal lengths", () => dv.ssim([1, 2, 3, 4], [1, 2], 2, 2)),
      await attempt("ssim with the wrong height × width", () => dv.ssim([1, 2, 3, 4], [1, 2, 3, 4], 3, 3)),
      await attempt("spearman of unequal lengths", () => dv.spearman([1, 2, 3], [1, 2])),
      await attempt("sanityCheck with target 1.5", () => dv.sanityCheck(model, x, { method: dv.saliency, target: 1.5 } as never)),
      await attempt("show(undefined)", () => dv.show(undefined as never)),
    ];
    sal.dispose();
    nan.dispose();
    x.dispose();
    model.dispose();
    check(list);
  });
});
