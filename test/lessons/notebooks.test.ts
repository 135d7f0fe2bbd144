/**
 * Every lesson under notebooks/ executes without error, twice: with the project's own runner (what
 * `npm start` uses) and with Debian's nbclient driving the installed DeepViz kernelspec (what Jupyter
 * users get). The runner's results then become the site, whose pages must load in Chromium with no console
 * errors, every image decoded and every saved widget rendered.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSite, repoRoot, SiteLesson } from "../../scripts/site/build-site";
import { checkSite, PageReport } from "../../scripts/site/check-pages";
import { Notebook, notebookErrors } from "../../scripts/site/notebook";
import { findRunner } from "../../scripts/site/runner";
import { lessonFiles } from "../../scripts/start";

const root = repoRoot(__dirname);
const PYTHON = "/usr/bin/python3";
// DEEPVIZ_LESSONS_ONLY=A,B runs only the notebooks whose file name contains A or B.
const only = process.env.DEEPVIZ_LESSONS_ONLY;
const chosen = (file: string) => !only || only.split(",").some((part) => path.basename(file).includes(part));
const lessons = lessonFiles(root).filter(chosen);
// The instructor notebooks of the assignments (sources, with their solutions) must run everywhere too.
const assignmentsDir = path.join(root, "notebooks", "assignments");
const assignments = fs.existsSync(assignmentsDir)
  ? fs
      .readdirSync(assignmentsDir)
      .filter((f) => f.endsWith(".ipynb") && chosen(f))
      .sort()
      .map((f) => path.join(assignmentsDir, f))
  : [];

// What is missing for these tests to run, if anything (the runner and kernel come from kernel-ext).
function missing(): string | undefined {
  if (!fs.existsSync(path.join(root, "dist", "entry", "src", "index.js")))
    return "dist/ is not built (run `npm run build`; `npm test` does)";
  if (!fs.existsSync(path.join(root, "dist", "kernel-ext", "src", "runner.js")))
    return "the kernel-ext runner is not built (dist/kernel-ext/src/runner.js)";
  // The lessons use the zoo's models, the shapes data and the widget kit: all must be in this checkout.
  const lib = require(path.join(root, "dist", "entry", "src", "index.js")) as Record<string, unknown>;
  const needs = ["zoo", "data", "widgets", "layerExplorer", "gradCam", "render", "show"].filter(
    (name) => lib[name] === undefined,
  );
  if (needs.length) return `the lessons need dv.${needs.join(", dv.")}, not in this build yet`;
  for (const name of ["shapes_vgg", "shapes_cnn"]) {
    if (!fs.existsSync(path.join(root, "models", name, "model.json")))
      return `the lessons need the zoo's ${name} (models/${name})`;
  }
  return undefined;
}

describe("lessons", function () {
  this.timeout(600_000);

  it("there are at least three lessons, each with Markdown, code and a widget", () => {
    assert.ok(lessons.length >= (only ? 1 : 3), `found ${lessons.length} notebooks`);
    for (const file of lessons) {
      const nb = JSON.parse(fs.readFileSync(file, "utf8")) as Notebook;
      assert.equal(nb.metadata.kernelspec?.name, "deepviz", `${file}: kernelspec`);
      const md = nb.cells.filter((c) => c.cell_type === "markdown").length;
      const code = nb.cells.filter((c) => c.cell_type === "code");
      assert.ok(md >= 5 && code.length >= 5, `${file}: ${md} markdown and ${code.length} code cells`);
      assert.ok(
        code.some((c) => /dv\.widgets\.|dv\.(layerExplorer|attributionExplorer|neuronPicker)/.test(String(c.source))),
        `${file} has no widget`,
      );
      assert.ok(
        code.every((c) => (c.outputs ?? []).length === 0),
        `${file} is committed with outputs; clear them`,
      );
    }
  });

  describe("run by the project's runner, then rendered as the site", () => {
    const executed: SiteLesson[] = [];
    let siteDir = "";
    let reports: PageReport[] = [];

    before(function () {
      // everything the lessons use is part of this repository: a missing piece is a failure, not a skip
      const why = missing();
      if (why) throw new Error(`the lessons cannot run: ${why}`);
      siteDir = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-lessons-"));
    });
    after(() => {
      if (siteDir) fs.rmSync(siteDir, { recursive: true, force: true });
    });

    for (const file of lessons) {
      it(`runs ${path.basename(file)} without errors`, async () => {
        const runNotebook = findRunner(root);
        const result = await runNotebook(file, { outDir: path.join(siteDir, "notebooks"), html: false, timeoutSec: 300 });
        const nb = result.notebook as Notebook;
        const detail = result.failures.map((f) => `cell ${f.cellIndex + 1}: ${f.ename}: ${f.evalue}\n${f.source}`).join("\n");
        assert.ok(result.ok, `${path.basename(file)} failed:\n${detail}`);
        assert.deepEqual(notebookErrors(nb), []);
        executed.push({ file: path.basename(file), notebook: nb, seconds: result.totalMs / 1000 });
      });
    }

    for (const file of assignments) {
      it(`runs the assignment source ${path.basename(file)} without errors`, async () => {
        const runNotebook = findRunner(root);
        const result = await runNotebook(file, { outDir: path.join(siteDir, "assignments"), html: false, timeoutSec: 300 });
        const detail = result.failures.map((f) => `cell ${f.cellIndex + 1}: ${f.ename}: ${f.evalue}\n${f.source}`).join("\n");
        assert.ok(result.ok, `${path.basename(file)} failed:\n${detail}`);
        assert.deepEqual(notebookErrors(result.notebook as Notebook), []);
      });
    }

    it("writes a site whose pages load in Chromium with no console errors, images present and widgets rendered", async () => {
      assert.equal(executed.length, lessons.length, "some lessons did not run");
      await buildSite(executed, siteDir);
      reports = await checkSite(siteDir, process.env.DEEPVIZ_SCREENSHOTS);
      assert.equal(reports.length, lessons.length + 1);
      for (const r of reports) {
        assert.deepEqual(r.consoleErrors, [], `${r.page}: console errors`);
        assert.deepEqual(r.failedRequests, [], `${r.page}: failed requests`);
        assert.deepEqual(r.externalRequests, [], `${r.page}: requests outside the site`);
        assert.ok(
          r.images.every((i) => i.width > 0 && i.height > 0),
          `${r.page}: a broken image`,
        );
        if (r.page === "index.html") continue;
        assert.ok(r.images.length >= 5, `${r.page}: only ${r.images.length} images`);
        assert.ok(r.widgetViews >= 1, `${r.page}: no widget`);
        assert.equal(r.renderedWidgets, r.widgetViews, `${r.page}: ${r.widgetViews - r.renderedWidgets} widget(s) not rendered`);
        assert.equal(r.renderedPlots, r.plots, `${r.page}: ${r.plots - r.renderedPlots} plot(s) not drawn`);
      }
    });
  });

  describe("run by Debian's nbclient with the installed DeepViz kernelspec", () => {
    let jupyterDir = "";
    before(function () {
      const why =
        missing() ??
        (fs.existsSync(path.join(root, "kernel-ext", "bin", "deepviz-kernel.js"))
          ? undefined
          : "kernel-ext/bin/deepviz-kernel.js is missing");
      if (why) throw new Error(`the lessons cannot run: ${why}`);
      jupyterDir = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-jupyter-"));
      const install = spawnSync(
        process.execPath,
        [path.join(root, "kernel-ext", "bin", "deepviz-kernel.js"), "install", "--prefix", jupyterDir, "--python", PYTHON],
        { cwd: root, encoding: "utf8" },
      );
      assert.equal(install.status, 0, `kernel install failed: ${install.stdout}${install.stderr}`);
    });
    after(() => {
      if (jupyterDir) fs.rmSync(jupyterDir, { recursive: true, force: true });
    });

    for (const file of [...lessons, ...assignments]) {
      it(`executes ${path.relative(path.join(root, "notebooks"), file)} without errors`, () => {
        const out = path.join(jupyterDir, path.basename(file));
        // nbclient raises CellExecutionError on the first failing cell; the exit status says so.
        const script = [
          "import sys, nbformat",
          "from nbclient import NotebookClient",
          "nb = nbformat.read(sys.argv[1], as_version=4)",
          "NotebookClient(nb, kernel_name='deepviz', timeout=300, resources={'metadata': {'path': sys.argv[3]}}).execute()",
          "nbformat.write(nb, sys.argv[2])",
        ].join("\n");
        const env = { ...process.env, JUPYTER_PATH: path.join(jupyterDir, "share", "jupyter") };
        const r = spawnSync(PYTHON, ["-c", script, file, out, path.dirname(file)], { env, encoding: "utf8", timeout: 600_000 });
        assert.equal(r.status, 0, `nbclient failed on ${path.basename(file)}:\n${r.stderr.slice(-4000)}`);
        const nb = JSON.parse(fs.readFileSync(out, "utf8")) as Notebook;
        assert.deepEqual(notebookErrors(nb), []);
        const images = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => "data" in o && o.data["image/png"]).length;
        if (lessons.includes(file)) assert.ok(images >= 5, `${path.basename(file)}: only ${images} PNG outputs`);
        else assert.ok(images >= 1, `${path.basename(file)}: no picture`);
      });
    }
  });
});
