import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { decodePng } from "../../src/render";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * dv.show inside a real tslab kernel, driven by Jupyter's own client (nbclient from Debian's Python):
 * the cell's output must be one display_data with the whole bundle (image/png and text/plain).
 * A throwaway kernelspec points at this checkout's tslab, so nothing is installed.
 */
describe("display/show in a real tslab kernel", function () {
  this.timeout(180000);

  it("puts the PNG bundle into the cell's outputs", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dv-tslab-"));
    try {
      const spec = path.join(dir, "kernels", "tslab-dv");
      fs.mkdirSync(spec, { recursive: true });
      fs.writeFileSync(
        path.join(spec, "kernel.json"),
        JSON.stringify({
          argv: [
            process.execPath,
            path.join(ROOT, "node_modules", "tslab", "bin", "tslab"),
            "kernel",
            "--config-path",
            "{connection_file}",
          ],
          display_name: "tslab (deepviz test)",
          language: "typescript",
        }),
      );
      const cells = [
        `require(${JSON.stringify(path.join(ROOT, "node_modules", "tsx", "dist", "cjs", "index.cjs"))});\n` +
          `const dv = require(${JSON.stringify(path.join(ROOT, "src", "index.ts"))});\nconst tf = require("@tensorflow/tfjs");\ndv.inNotebook()`,
        `dv.show(tf.ones([4, 6, 3]).mul(0.5))`,
      ];
      const script = `
import json, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell(src) for src in json.loads(sys.argv[1])]
NotebookClient(nb, kernel_name="tslab-dv", timeout=120, resources={"metadata": {"path": sys.argv[2]}}).execute()
print(json.dumps([c.outputs for c in nb.cells]))
`;
      const run = spawnSync("/usr/bin/python3", ["-c", script, JSON.stringify(cells), ROOT], {
        env: { ...process.env, JUPYTER_PATH: dir, JUPYTER_DATA_DIR: dir, JUPYTER_RUNTIME_DIR: dir },
        encoding: "utf8",
        timeout: 170000,
      });
      assert.equal(run.status, 0, run.stderr);
      const outputs = JSON.parse(run.stdout.trim().split("\n").pop()!) as Array<Array<Record<string, any>>>;
      // tslab prints a cell's last value on stdout: the kernel is detected
      assert.equal(
        outputs[0]
          .map((o) => o.text ?? o.data?.["text/plain"] ?? "")
          .join("")
          .trim(),
        "true",
      );
      const shown = outputs[1].filter((o) => o.output_type === "display_data");
      assert.equal(shown.length, 1);
      assert.deepEqual(Object.keys(shown[0].data).sort(), ["image/png", "text/plain"]);
      const png = decodePng(Buffer.from(shown[0].data["image/png"], "base64"));
      assert.deepEqual([png.width, png.height], [6 * 16, 4 * 16]); // small pictures are enlarged for display
      assert.deepEqual(Array.from(png.data.subarray(0, 4)), [128, 128, 128, 255]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
