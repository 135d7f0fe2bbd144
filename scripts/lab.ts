/**
 * `npm run lab`: find a Python that has Jupyter, install the DeepViz kernel into it, and start Jupyter on
 * the lessons folder. Where no Jupyter is installed it says what to install, and that `npm start` needs none.
 *
 *   npm run lab [-- --python PATH] [--check] [any Jupyter options, e.g. --no-browser --port 8899]
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "./site/build-site";
import { needsBuild } from "./start";

export interface JupyterFound {
  python: string;
  /** The front end to start: JupyterLab when installed, else the Notebook. */
  app: "jupyterlab" | "notebook";
  version: string;
}

const PROBE = `
import json, importlib
out = {}
for name in ("jupyterlab", "notebook", "jupyter_client"):
    try:
        out[name] = importlib.import_module(name).__version__
    except Exception:
        pass
print(json.dumps(out))
`;

/** Python candidates, most specific first: --python, $DEEPVIZ_PYTHON, the python behind `jupyter` on PATH, python3 on PATH, Debian's. */
export function pythonCandidates(explicit?: string): string[] {
  const list: string[] = [];
  if (explicit) return [explicit];
  if (process.env.DEEPVIZ_PYTHON) list.push(process.env.DEEPVIZ_PYTHON);
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const jupyter = path.join(dir, "jupyter");
    if (!dir || !fs.existsSync(jupyter)) continue;
    const m = /^#!\s*(\S+)/.exec(fs.readFileSync(jupyter, "utf8").slice(0, 200));
    if (m && !m[1].endsWith("/env")) list.push(m[1]);
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, "python3"))) list.push(path.join(dir, "python3"));
  }
  list.push("/usr/bin/python3");
  return [...new Set(list)];
}

export function findJupyter(candidates: string[]): JupyterFound | undefined {
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", PROBE], { encoding: "utf8" });
    if (r.status !== 0) continue;
    let mods: Record<string, string>;
    try {
      mods = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}");
    } catch {
      continue;
    }
    if (!mods.jupyter_client) continue;
    if (mods.jupyterlab) return { python, app: "jupyterlab", version: mods.jupyterlab };
    if (mods.notebook) return { python, app: "notebook", version: mods.notebook };
  }
  return undefined;
}

export const INSTALL_HELP = `No Jupyter was found (looked for a Python with jupyter_client and notebook or jupyterlab).
Install one of:
  Debian / Ubuntu:   sudo apt-get install jupyter-notebook
  any system (pip):  python3 -m pip install jupyterlab ipywidgets
  conda:             conda install -c conda-forge jupyterlab ipywidgets
then run \`npm run lab\` again (or point it at a Python: npm run lab -- --python /path/to/python3).
You do not need Jupyter to read the lessons: \`npm start\` executes them and writes an HTML site.`;

function main(): void {
  const root = repoRoot();
  const args = process.argv.slice(2);
  let explicit: string | undefined;
  let check = false;
  const jupyterArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--python") explicit = args[++i];
    else if (args[i] === "--check") check = true;
    else jupyterArgs.push(args[i]);
  }
  const found = findJupyter(pythonCandidates(explicit));
  if (!found) {
    console.error(INSTALL_HELP);
    process.exit(1);
  }
  console.log(`Jupyter: ${found.app} ${found.version} (${found.python})`);
  const kernelCli = path.join(root, "entry", "bin", "deepviz-kernel.js");
  if (!fs.existsSync(kernelCli)) {
    console.error(`the DeepViz kernel is missing (${path.relative(root, kernelCli)}); this checkout cannot start the lessons in Jupyter yet`);
    process.exit(1);
  }
  if (check) {
    console.log(`would install the kernel with ${path.relative(root, kernelCli)} and start ${found.app} in ${path.join(root, "notebooks")}`);
    return;
  }
  if (needsBuild(root)) {
    console.log("building the project (tsc) so notebooks can import deepviz ...");
    const b = spawnSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-b"], { cwd: root, stdio: "inherit" });
    if (b.status !== 0) process.exit(1);
  }
  // Per-user install (the Jupyter data dir of whoever runs it): nothing system-wide is touched.
  const install = spawnSync(process.execPath, [kernelCli, "install", "--user", "--python", found.python], { cwd: root, stdio: "inherit" });
  if (install.status !== 0) {
    console.error("installing the DeepViz kernel failed (see above)");
    process.exit(1);
  }
  const app = found.app === "jupyterlab" ? ["-m", "jupyterlab"] : ["-m", "notebook"];
  // Jupyter refuses to run as root without this flag (containers and CI machines often are root).
  if (process.getuid?.() === 0 && !jupyterArgs.includes("--allow-root")) jupyterArgs.push("--allow-root");
  console.log(`starting ${found.app} on ${path.join(root, "notebooks")}: pick the "TypeScript (DeepViz)" kernel if asked (Ctrl-C stops it)`);
  const child = spawn(found.python, [...app, `--notebook-dir=${path.join(root, "notebooks")}`, ...jupyterArgs], { cwd: root, stdio: "inherit" });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  child.on("exit", (code) => process.exit(code ?? 0));
}

if (require.main === module) main();
