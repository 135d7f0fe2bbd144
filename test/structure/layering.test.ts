/**
 * The layering rules (.dependency-cruiser.js) hold on the repository, and each forbids what it names:
 * small trees of files in a temporary folder, checked with the same config, pass or fail as they should.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const DEPCRUISE = path.join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
const CONFIG = path.join(ROOT, ".dependency-cruiser.js");

function cruise(cwd: string, dirs: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [DEPCRUISE, ...dirs, "--config", CONFIG, "--output-type", "err"], {
    cwd,
    encoding: "utf8",
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** Writes `files` (path → source) into a fresh folder laid out like the repository. */
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-layering-"));
  fs.copyFileSync(path.join(ROOT, "tsconfig.base.json"), path.join(dir, "tsconfig.base.json"));
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "probe", version: "0.0.0", devDependencies: { mocha: "*" } }),
  );
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  for (const [file, source] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), source);
  }
  return dir;
}

// The parts as they may import each other: one file each, every allowed arrow used once.
const ALLOWED: Record<string, string> = {
  "src/index.ts": `export const lib = 1;\n`,
  "src/show.ts": `import { COMM } from "../kernel-ext/src/comm-api";\nexport const show = COMM;\n`,
  "src/render/colors.ts": `export const red = [255, 0, 0];\n`,
  "src/render/png.ts": `import * as zlib from "zlib";\nexport const z = zlib.constants;\n`,
  "kernel-ext/src/comm-api.ts": `export const COMM = 1;\n`,
  "kernel-ext/src/client.ts": `import { COMM } from "./comm-api";\nexport const client = COMM;\n`,
  "widgets/src/widget.ts": `import { COMM } from "../../kernel-ext/src/comm-api";\nimport { lib } from "../../src";\nexport const w = COMM + lib;\n`,
  "widgets/frontend/src/view.ts": `import { red } from "../../../src/render/colors";\nexport const v = red;\n`,
  "entry/src/index.ts": `export * from "../../src";\nexport * as widgets from "../../widgets/src/widget";\nexport { client } from "../../kernel-ext/src/client";\n`,
};
const PARTS = ["src", "kernel-ext", "widgets", "entry"];

describe("layering (dependency-cruiser)", function () {
  this.timeout(120_000);
  const made: string[] = [];
  after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const check = (extra: Record<string, string>) => {
    const dir = tree({ ...ALLOWED, ...extra });
    made.push(dir);
    return cruise(dir, PARTS);
  };

  it("passes on the repository", () => {
    const r = cruise(ROOT, PARTS);
    assert.equal(r.status, 0, r.out);
  });

  it("passes on every allowed direction", () => {
    const r = check({});
    assert.equal(r.status, 0, r.out);
  });

  const forbidden: [string, string, string, string][] = [
    [
      "the library imports the widget kit",
      "src/uses-widgets.ts",
      `import { w } from "../widgets/src/widget";\nexport const x = w;\n`,
      "library-imports-no-other-part",
    ],
    [
      "the library imports the kernel (a type import too)",
      "src/uses-kernel.ts",
      `import type { client } from "../kernel-ext/src/client";\nexport type X = typeof client;\n`,
      "library-imports-no-other-part",
    ],
    [
      "the kernel imports the widget kit",
      "kernel-ext/src/steps.ts",
      `import { w } from "../../widgets/src/widget";\nexport const s = w;\n`,
      "kernel-imports-no-other-part",
    ],
    [
      "the kernel imports the library",
      "kernel-ext/src/cnn.ts",
      `export const f = () => require("../../src");\n`,
      "kernel-imports-no-other-part",
    ],
    [
      "the widget kit imports more of the kernel than its comm contract",
      "widgets/src/launch.ts",
      `import { client } from "../../kernel-ext/src/client";\nexport const l = client;\n`,
      "widgets-use-only-the-comm-contract",
    ],
    [
      "the browser views import the kit's kernel side",
      "widgets/frontend/src/kit.ts",
      `import { w } from "../../../widgets/src/widget";\nexport const b = w;\n`,
      "browser-views-import-no-kernel-side-code",
    ],
    [
      "the browser views import library code that needs Node",
      "widgets/frontend/src/png.ts",
      `import { z } from "../../../src/render/png";\nexport const b = z;\n`,
      "browser-views-reach-no-node-or-tfjs",
    ],
    [
      "a part imports a test",
      "src/uses-test.ts",
      `import { t } from "../test/helper";\nexport const u = t;\n`,
      "parts-do-not-import-tools",
    ],
    [
      "shipped code imports a devDependency",
      "widgets/src/test-only.ts",
      `import { describe } from "mocha";\nexport const d = describe;\n`,
      "shipped-code-not-to-dev-dependencies",
    ],
    [
      "an import resolves to nothing",
      "src/missing.ts",
      `import { nothing } from "./not-there";\nexport const m = nothing;\n`,
      "not-to-unresolvable",
    ],
  ];
  for (const [what, file, source, rule] of forbidden) {
    it(`fails when ${what}`, () => {
      const r = check({ [file]: source, "test/helper.ts": "export const t = 1;\n" });
      assert.notEqual(r.status, 0, `expected a violation:\n${r.out}`);
      assert.match(r.out, new RegExp(`${rule}: ${file.replace(/[.]/g, "\\.")}`), r.out);
    });
  }
});
