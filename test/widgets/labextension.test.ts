/**
 * The JupyterLab 4 prebuilt extension builds from Node alone (esbuild + @jupyterlab/builder), holds
 * what JupyterLab loads (package.json with _build.load, remoteEntry, the views), shares
 * @jupyter-widgets/base with the host instead of bundling it, and installs into a data dir.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { labextensionInstallStep } from "../../widgets/src/labextension";

const FRONTEND = path.resolve(__dirname, "..", "..", "widgets", "frontend");
const EXT = path.join(FRONTEND, "labextension");

describe("widgets: JupyterLab prebuilt extension", function () {
  this.timeout(180_000);
  before(() => {
    execFileSync(process.execPath, [path.join(FRONTEND, "build.mjs"), "--lab"], { stdio: "pipe" });
  });

  it("has the metadata and files JupyterLab needs to load it", () => {
    const meta = JSON.parse(fs.readFileSync(path.join(EXT, "package.json"), "utf8"));
    assert.equal(meta.name, "deepviz-widgets");
    assert.equal(meta.version, "0.1.0");
    assert.equal(meta.jupyterlab.extension, true);
    const load: string = meta.jupyterlab._build.load;
    assert.match(load, /^static\/remoteEntry\.[0-9a-f]+\.js$/);
    const remote = fs.readFileSync(path.join(EXT, load), "utf8");
    assert.match(remote, /deepviz-widgets/, "the container is named after the package");
    assert.match(remote, /"\.\/extension"/, "it exposes ./extension");
    assert.match(remote, /@jupyter-widgets\/base/, "it consumes @jupyter-widgets/base from the host");
    const chunks = fs.readdirSync(path.join(EXT, "static")).filter((f) => f.endsWith(".js") && !f.startsWith("remoteEntry"));
    const code = chunks.map((f) => fs.readFileSync(path.join(EXT, "static", f), "utf8")).join("\n");
    for (const name of ["HeatmapView", "FeatureGridView", "ScatterView", "deepviz-widgets:plugin"])
      assert.ok(code.includes(name), `${name} is in the bundle`);
    // @jupyter-widgets/base is shared, not bundled: none of its own strings are in our chunks.
    assert.ok(!code.includes("jupyter-widgets-error-widget"), "@jupyter-widgets/base is not bundled");
  });

  it("installs into <data dir>/labextensions/deepviz-widgets and uninstalls", () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dv-labext-"));
    const lines: string[] = [];
    labextensionInstallStep.install({ dataDir, log: (l) => lines.push(l) });
    const installed = path.join(dataDir, "labextensions", "deepviz-widgets");
    const meta = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
    assert.ok(fs.existsSync(path.join(installed, meta.jupyterlab._build.load)));
    labextensionInstallStep.uninstall({ dataDir, log: (l) => lines.push(l) });
    assert.ok(!fs.existsSync(installed));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
