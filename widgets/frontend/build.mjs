// Build the browser side of the widget kit from Node alone:
//  dist/index.js     an AMD module for @jupyter-widgets/html-manager (define(["@jupyter-widgets/base"], ...))
//  lib/plugin.js     the JupyterLab plugin entry (ES module, @jupyter-widgets/base left to the host)
//  labextension/     the prebuilt JupyterLab 4 extension (with --lab; needs @jupyterlab/builder ~4.5)
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, readFileSync, rmSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const common = {
  bundle: true,
  platform: "browser",
  target: "es2020",
  external: ["@jupyter-widgets/base"],
  minify: !process.argv.includes("--dev"),
  legalComments: "none",
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"', global: "globalThis" },
};

async function amd() {
  const out = await build({ ...common, entryPoints: [join(here, "src/index.ts")], format: "cjs", write: false });
  const body = out.outputFiles[0].text;
  // The host's @jupyter-widgets/base comes in as the AMD dependency; the bundle asks for it by require().
  const wrapped =
    'define(["@jupyter-widgets/base"], function (__jupyterWidgetsBase) {\n' +
    "var module = { exports: {} }, exports = module.exports;\n" +
    'var require = function (name) { if (name === "@jupyter-widgets/base") return __jupyterWidgetsBase; throw new Error("deepviz-widgets: unexpected require " + name); };\n' +
    body +
    "\nreturn module.exports;\n});\n";
  mkdirSync(join(here, "dist"), { recursive: true });
  writeFileSync(join(here, "dist/index.js"), wrapped);
  console.log(`dist/index.js ${(wrapped.length / 1e6).toFixed(2)} MB`);
}

async function lib() {
  await build({ ...common, entryPoints: [join(here, "src/plugin.ts")], format: "esm", outfile: join(here, "lib/plugin.js") });
}

/** A stand-in for JupyterLab's core package.json: what the host shares with extensions. */
function corePackage() {
  const dir = join(here, ".core");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const baseVersion = require("@jupyter-widgets/base/package.json").version;
  const lumino = ["@lumino/coreutils", "@lumino/widgets", "@lumino/messaging", "@lumino/signaling"];
  const deps = { "@jupyter-widgets/base": `^${baseVersion}` };
  for (const p of lumino) deps[p] = `^${require(`${p}/package.json`).version}`;
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify(
      {
        name: "@jupyterlab/application-top",
        version: "4.5.0",
        private: true,
        dependencies: deps,
        resolutions: deps,
        jupyterlab: { singletonPackages: Object.keys(deps), name: "JupyterLab" },
      },
      null,
      2,
    ),
  );
  return dir;
}

function labextension() {
  const builder = join(dirname(require.resolve("@jupyterlab/builder/package.json")), "lib/build-labextension.js");
  const core = corePackage();
  rmSync(join(here, "labextension"), { recursive: true, force: true });
  // --development: the bundle is already minified by esbuild; webpack minifying plotly again takes minutes.
  execFileSync(process.execPath, [builder, "--development", "--core-path", core, here], { stdio: "inherit", cwd: here });
  if (!existsSync(join(here, "labextension/package.json"))) throw new Error("labextension build wrote no package.json");
  const meta = JSON.parse(readFileSync(join(here, "labextension/package.json"), "utf8"));
  console.log(`labextension/ built: load ${meta.jupyterlab?._build?.load}`);
}

await amd();
await lib();
if (process.argv.includes("--lab")) labextension();
