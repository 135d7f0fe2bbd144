/** The kernel as Jupyter itself starts it: installed kernelspec, nbconvert --execute, jupyter_client. */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { KERNEL_BIN } from "../../kernel-ext/src/client";
import { installKernel, JupyterMissing, listKernels, uninstallKernel } from "../../kernel-ext/src/installer";
import { FIXTURES, PYTHON, requireBuild, SOURCE_ENV, tmpDir } from "./helpers";

describe("kernel with Jupyter's own clients", function () {
  let prefix: string;
  let env: NodeJS.ProcessEnv;

  before(function () {
    requireBuild();
    prefix = tmpDir("prefix");
    env = { ...SOURCE_ENV, JUPYTER_PATH: path.join(prefix, "share", "jupyter") };
  });

  it("installs TypeScript and JavaScript kernelspecs into a prefix and lists them", function () {
    const lines: string[] = [];
    const dirs = installKernel({ location: { kind: "prefix", prefix }, python: PYTHON, log: (l) => lines.push(l) });
    assert.deepEqual(
      dirs.map((d) => path.basename(d)),
      ["deepviz", "deepviz-js"],
    );
    const ts = JSON.parse(fs.readFileSync(path.join(prefix, "share/jupyter/kernels/deepviz/kernel.json"), "utf8"));
    assert.deepEqual(ts.argv, [process.execPath, KERNEL_BIN, "kernel", "--config-path", "{connection_file}"]);
    assert.equal(ts.language, "typescript");
    assert.equal(ts.interrupt_mode, "signal");
    const js = JSON.parse(fs.readFileSync(path.join(prefix, "share/jupyter/kernels/deepviz-js/kernel.json"), "utf8"));
    assert.equal(js.argv.at(-1), "--js");
    assert.equal(js.language, "javascript");
    const saved = process.env.JUPYTER_PATH;
    process.env.JUPYTER_PATH = env.JUPYTER_PATH;
    try {
      const ours = listKernels({ python: PYTHON })
        .filter((k) => k.ours)
        .map((k) => k.name)
        .sort();
      assert.deepEqual(ours, ["deepviz", "deepviz-js"]);
    } finally {
      if (saved === undefined) delete process.env.JUPYTER_PATH;
      else process.env.JUPYTER_PATH = saved;
    }
  });

  it("says clearly when Jupyter is missing", function () {
    assert.throws(
      () => installKernel({ python: path.join(prefix, "no-such-python") }),
      (e: Error) => e instanceof JupyterMissing && /Jupyter was not found/.test(e.message) && /--python/.test(e.message),
    );
  });

  it("runs a notebook under `jupyter nbconvert --execute` with a comm and rich output", function () {
    const out = tmpDir("nbconvert");
    const r = spawnSync(
      PYTHON,
      [
        "-m",
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.timeout=120",
        "--output-dir",
        out,
        path.join(FIXTURES, "rich-comm.ipynb"),
      ],
      { env, encoding: "utf8", timeout: 150_000 },
    );
    assert.equal(r.status, 0, `nbconvert failed:\n${r.stderr}`);
    const nb = JSON.parse(fs.readFileSync(path.join(out, "rich-comm.ipynb"), "utf8"));
    const outputs = nb.cells.filter((c: any) => c.cell_type === "code").map((c: any) => c.outputs);
    // nbformat may store multi-line strings as lists of lines
    const text = (v: string | string[]) => (Array.isArray(v) ? v.join("") : v);
    assert.equal(outputs[0].length, 1);
    assert.equal(text(outputs[0][0].text), "deepviz function\n");
    const view = outputs[1][0];
    assert.equal(view.output_type, "display_data");
    const modelId = view.data["application/vnd.jupyter.widget-view+json"].model_id;
    assert.equal(outputs[2][0].output_type, "execute_result");
    assert.equal(text(outputs[2][0].data["text/html"]), "<b>bold</b>");
    assert.equal(text(outputs[3][0].data["text/html"]), "<i>tslab display</i>");
    // nbclient rebuilt the widget from our comm_open (buffer at ["data"]) and the update to value 5.
    const saved = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"].state[modelId];
    assert.equal(saved.model_name, "IntSliderModel");
    assert.equal(saved.state.value, 5);
    assert.deepEqual(saved.buffers, [{ data: "BwgJ", encoding: "base64", path: ["data"] }]); // bytes 7 8 9
  });

  it("exchanges comm messages with buffers with a jupyter_client script", function () {
    const r = spawnSync(PYTHON, [path.join(__dirname, "comm_client.py"), "deepviz"], {
      env,
      encoding: "utf8",
      timeout: 120_000,
      cwd: FIXTURES,
    });
    assert.equal(r.stdout.trim().split("\n").pop(), "OK", `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    assert.equal(r.status, 0);
  });

  it("uninstalls the kernelspecs", function () {
    const removed = uninstallKernel({ location: { kind: "prefix", prefix }, python: PYTHON });
    assert.equal(removed.length, 2);
    assert.ok(!fs.existsSync(path.join(prefix, "share/jupyter/kernels/deepviz")));
    assert.ok(!fs.existsSync(path.join(prefix, "share/jupyter/kernels/deepviz-js")));
  });
});
