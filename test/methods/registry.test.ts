import { strict as assert } from "assert";
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import * as dv from "../../entry/src";
import { methodTable, README, START, END } from "../../scripts/method-table";
import { smallCnn } from "../helpers/models";
import { installFake, tick, uninstallFake } from "../widgets/fake-comm-manager";

/** Options for a quick run of a registered method on the 8×8 test CNN. */
function quickOptions(spec: dv.MethodSpec, model: tf.LayersModel, x: tf.Tensor): Record<string, unknown> {
  const o: Record<string, unknown> = { ...spec.defaults?.(model, x), target: 1 };
  if (spec.needsLayer) o.layer = "conv2";
  if (spec.name === "integratedGradients") o.steps = 8;
  if (spec.name === "smoothGrad") o.samples = 4;
  return o;
}

describe("the method registry", function () {
  this.timeout(120000);
  const model = smallCnn(5);
  const x = tf.tidy(() => tf.randomUniform([8, 8, 3], 0, 1, "float32", 3));
  before(() => dv.backend());

  it("names each method once, as it is called on dv, with complete metadata", () => {
    const names = dv.listMethods().map((m) => m.name);
    assert.equal(new Set(names).size, names.length);
    for (const m of dv.listMethods()) {
      assert.equal((dv as unknown as Record<string, unknown>)[m.name], m.run, `dv.${m.name} is the registered function`);
      assert.ok(m.label && m.summary, `${m.name} has a label and a summary`);
      assert.ok(["one-pass", "batched", "iterative"].includes(m.cost));
      assert.ok(
        m.graphModel === true || (typeof m.graphModel === "string" && m.graphModel.length > 10),
        `${m.name}: graphModel is true or a reason`,
      );
    }
    assert.throws(() => dv.getMethod("lrpp"), /no attribution method named "lrpp". Methods: saliency, /);
  });

  for (const spec of dv.listMethods()) {
    it(`${spec.name}: runs through explain(), is named and shaped honestly, and leaks nothing`, async () => {
      const before = tf.memory().numTensors;
      const reports: dv.Progress[] = [];
      const a = await spec.run(model, x, { ...quickOptions(spec, model, x), onProgress: (p: dv.Progress) => reports.push(p) });
      // explain()'s frame reports progress under the method's name, ending with everything done
      assert.ok(reports.length >= 1 && reports.every((p) => p.task === spec.name), `reports: ${JSON.stringify(reports)}`);
      assert.equal(reports[reports.length - 1].done, reports[reports.length - 1].total);
      assert.equal(reports[0].unit, spec.cost === "one-pass" ? "passes" : reports[0].unit);
      assert.equal(a.method, spec.name);
      assert.ok(a.values.size > 0);
      assert.ok(Array.from(a.values.dataSync()).every(Number.isFinite), "finite values");
      assert.ok(a.input.shape.join() === x.shape.join(), "the attribution keeps the input explained");
      if (spec.name === "layerActivation" || spec.name === "neuronGradient")
        assert.equal(a.target, null, "no class is explained");
      else assert.deepEqual(a.target, [1]);
      if (spec.needsLayer) assert.equal(a.layer, "conv2");
      a.dispose();
      assert.equal(tf.memory().numTensors, before);
      // a failing run leaks nothing either
      const wrong = tf.zeros([8, 8, 2]);
      await assert.rejects(spec.run(model, wrong, quickOptions(spec, model, x)), dv.DeepVizError);
      wrong.dispose();
      assert.equal(tf.memory().numTensors, before);
    });
  }

  it("every method is offered by the attribution explorer, which draws each one", async () => {
    installFake();
    try {
      const ax = await dv.attributionExplorer(model, x);
      await tick();
      assert.deepEqual(
        ax.method.options.map(([l]) => l),
        dv.listMethods().map((m) => m.name),
      );
      for (let i = 0; i < ax.method.options.length; i++) {
        ax.method.index = i;
        await ax.idle();
        const name = dv.listMethods()[i].name;
        assert.match(ax.info.value, new RegExp(`^${name}`), `${name}: ${ax.info.value}`);
        assert.equal(ax.heatmap.signed, dv.listMethods()[i].signed);
      }
    } finally {
      uninstallFake();
    }
  });

  it("the README's method table is the registry's", () => {
    const readme = fs.readFileSync(README, "utf8");
    const table = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    assert.equal(table, methodTable(), "README.md is out of date: run npx tsx scripts/method-table.ts");
    for (const m of dv.listMethods()) assert.ok(table.includes(`| \`${m.name}\` |`), m.name);
  });
});
