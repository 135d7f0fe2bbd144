/**
 * `npm run lab`: open the lessons in JupyterLab with the DeepViz kernel.
 * - A Python with JupyterLab >= 4 (or Notebook >= 7): install the kernel and the widget kit's
 *   labextension there (per user) and start it on notebooks/.
 * - Else a Python with jupyter_server and jupyterlab_server (Debian's python3-jupyter-server and
 *   python3-jupyterlab-server): build the project's own JupyterLab from lab/ once (cached), install the
 *   kernel and labextension into lab/build/jupyter, and serve it on 127.0.0.1 with a fresh token; offline
 *   once built. The URL to open is printed.
 * - Else: say what to install.
 *
 *   npm run lab [-- --python PATH] [--check] [any Jupyter server options, e.g. --no-browser --port 8899]
 */
import { spawn, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ensureLabBuild, ensureLabextension, labCacheDir } from "./lab-build";
import { repoRoot } from "./site/build-site";
import { needsBuild } from "./start";

export interface JupyterFound {
  python: string;
  /**
   * The front end to start: the user's JupyterLab (>= 4) or Notebook (>= 7), else "own": the project's
   * JupyterLab on that Python's jupyter_server and jupyterlab_server.
   */
  app: "jupyterlab" | "notebook" | "own";
  version: string;
}

const PROBE = `
import json, importlib
out = {}
for name in ("jupyterlab", "notebook", "jupyter_client", "jupyter_server", "jupyterlab_server"):
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

const major = (version: string | undefined) => Number(/^(\d+)/.exec(version ?? "")?.[1] ?? 0);

/** The first candidate with a JupyterLab 4 / Notebook 7; failing that, the first that can serve the own build. */
export function findJupyter(candidates: string[]): JupyterFound | undefined {
  let own: JupyterFound | undefined;
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
    if (major(mods.jupyterlab) >= 4) return { python, app: "jupyterlab", version: mods.jupyterlab };
    if (major(mods.notebook) >= 7) return { python, app: "notebook", version: mods.notebook };
    if (!own && major(mods.jupyter_server) >= 1 && major(mods.jupyterlab_server) >= 2) {
      own = { python, app: "own", version: `jupyter_server ${mods.jupyter_server}, jupyterlab_server ${mods.jupyterlab_server}` };
    }
  }
  return own;
}

export const INSTALL_HELP = `No JupyterLab 4, Notebook 7 or Jupyter server was found (looked for a Python with jupyter_client
and jupyterlab >= 4, notebook >= 7, or jupyter_server with jupyterlab_server).
Install one of:
  Debian / Ubuntu:   sudo apt-get install python3-jupyter-server python3-jupyterlab-server
                     (npm run lab then builds and serves the project's own JupyterLab)
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
    console.error(
      `the DeepViz kernel is missing (${path.relative(root, kernelCli)}); this checkout cannot start the lessons in Jupyter yet`,
    );
    process.exit(1);
  }
  if (check) {
    const what = found.app === "own" ? "build and serve the project's own JupyterLab (lab/)" : `start ${found.app}`;
    console.log(`would install the kernel with ${path.relative(root, kernelCli)} and ${what} on ${path.join(root, "notebooks")}`);
    return;
  }
  if (needsBuild(root)) {
    console.log("building the project (tsc) so notebooks can import deepviz ...");
    const b = spawnSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-b"], {
      cwd: root,
      stdio: "inherit",
    });
    if (b.status !== 0) process.exit(1);
  }
  ensureLabextension(root);
  if (found.app === "own") serveOwnLab(root, found, kernelCli, jupyterArgs);
  else startUsersJupyter(root, found, kernelCli, jupyterArgs);
}

function installKernel(kernelCli: string, args: string[], root: string): void {
  const install = spawnSync(process.execPath, [kernelCli, "install", ...args], { cwd: root, stdio: "inherit" });
  if (install.status !== 0) {
    console.error("installing the DeepViz kernel failed (see above)");
    process.exit(1);
  }
}

function runServer(python: string, args: string[], root: string, onLine: (line: string) => void = () => undefined): void {
  const child = spawn(python, args, { cwd: root, stdio: ["inherit", "inherit", "pipe"] });
  let buffered = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    lines.forEach(onLine);
  });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  child.on("exit", (code) => process.exit(code ?? 0));
}

function startUsersJupyter(root: string, found: JupyterFound, kernelCli: string, jupyterArgs: string[]): void {
  // Per-user install (the Jupyter data dir of whoever runs it): nothing system-wide is touched.
  installKernel(kernelCli, ["--user", "--python", found.python], root);
  // Jupyter refuses to run as root without this flag (containers and CI machines often are root).
  if (process.getuid?.() === 0 && !jupyterArgs.includes("--allow-root")) jupyterArgs.push("--allow-root");
  console.log(
    `starting ${found.app} on ${path.join(root, "notebooks")}: pick the "TypeScript (DeepViz)" kernel if asked (Ctrl-C stops it)`,
  );
  const app = found.app === "jupyterlab" ? "jupyterlab" : "notebook";
  runServer(found.python, ["-m", app, `--notebook-dir=${path.join(root, "notebooks")}`, ...jupyterArgs], root);
}

/** Where the own JupyterLab's kernel and labextension are installed (`--prefix`). */
export function ownLabPrefix(root: string): string {
  return path.join(labCacheDir(root), "jupyter");
}

/** lab/server.py and its arguments (listening on 127.0.0.1 only unless the caller adds another --ip). */
export function ownLabServerArgs(root: string, o: { build: string; token: string; rootDir: string }): string[] {
  const args = [
    path.join(root, "lab", "server.py"),
    "--build",
    o.build,
    "--data",
    path.join(ownLabPrefix(root), "share", "jupyter"),
    `--ServerApp.root_dir=${o.rootDir}`,
    `--ServerApp.token=${o.token}`,
    "--ServerApp.open_browser=False",
  ];
  if (process.getuid?.() === 0) args.push("--allow-root");
  return args;
}

/** The project's own JupyterLab on Debian's server: 127.0.0.1, a fresh token, kernel and labextension private to it. */
function serveOwnLab(root: string, found: JupyterFound, kernelCli: string, jupyterArgs: string[]): void {
  let build: string;
  try {
    build = ensureLabBuild(root, (s) => console.log(s));
  } catch (e) {
    console.error(
      `building the project's JupyterLab failed: ${(e as Error).message}\n(the first build needs the npm registry; later starts do not)`,
    );
    process.exit(1);
  }
  const prefix = ownLabPrefix(root);
  installKernel(kernelCli, ["--prefix", prefix, "--python", found.python], root);
  const token = randomBytes(24).toString("hex");
  const args = ownLabServerArgs(root, { build, token, rootDir: path.join(root, "notebooks") });
  if (!jupyterArgs.some((a) => /^--(ServerApp\.)?ip\b/.test(a))) args.push("--ServerApp.ip=127.0.0.1");
  console.log(
    `starting the project's JupyterLab (${found.version}, ${found.python}) on ${path.join(root, "notebooks")} (Ctrl-C stops it)`,
  );
  let announced = false;
  runServer(found.python, [...args, ...jupyterArgs], root, (line) => {
    // the server prints its URL with the token masked; print it whole, once
    const m = /(http:\/\/[^\s/]+)\/lab\?token=\S+/.exec(line);
    if (m && !announced) {
      announced = true;
      console.log(`\nDeepViz JupyterLab is running: open ${m[1]}/lab?token=${token}\n`);
    }
  });
}

if (require.main === module) main();
