/**
 * Installs the kernelspecs (TypeScript and JavaScript) with the Jupyter of a given Python, through
 * jupyter_client's KernelSpecManager, so they land exactly where that Jupyter looks.
 */
import { spawnSync } from "child_process";
import { defaultKernelArgv } from "./client";
import type { InstallContext, InstallStep } from "./install-steps";

export type InstallLocation =
  | { kind: "default" } // per-user unless root, as jupyter kernelspec install does
  | { kind: "user" }
  | { kind: "sys-prefix" }
  | { kind: "prefix"; prefix: string };

export interface KernelSpecJson {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal";
  metadata: Record<string, unknown>;
}

/** Kernel names: "deepviz" (TypeScript) and "deepviz-js" (JavaScript). */
export const KERNEL_NAMES = { typescript: "deepviz", javascript: "deepviz-js" } as const;

export class JupyterMissing extends Error {
  override name = "JupyterMissing";
}

export function kernelSpecs(): { name: string; json: KernelSpecJson }[] {
  return [
    {
      name: KERNEL_NAMES.typescript,
      json: {
        argv: defaultKernelArgv(false),
        display_name: "TypeScript (DeepViz)",
        language: "typescript",
        interrupt_mode: "signal",
        metadata: { deepviz: true },
      },
    },
    {
      name: KERNEL_NAMES.javascript,
      json: {
        argv: defaultKernelArgv(true),
        display_name: "JavaScript (DeepViz)",
        language: "javascript",
        interrupt_mode: "signal",
        metadata: { deepviz: true },
      },
    },
  ];
}

// Runs inside the chosen Python; reads one JSON request from argv, prints one JSON answer.
const HELPER = String.raw`
import json, os, shutil, sys, tempfile
try:
    from jupyter_client.kernelspec import KernelSpecManager
except ImportError:
    print(json.dumps({"error": "no-jupyter"}))
    sys.exit(0)
req = json.loads(sys.argv[1])
ksm = KernelSpecManager()
loc = req.get("location", {"kind": "default"})
is_root = hasattr(os, "geteuid") and os.geteuid() == 0
user = loc["kind"] == "user" or (loc["kind"] == "default" and not is_root)
prefix = sys.prefix if loc["kind"] == "sys-prefix" else loc.get("prefix")
out = {"python": sys.executable, "done": []}
if req["op"] == "install":
    for spec in req["specs"]:
        td = tempfile.mkdtemp()
        os.chmod(td, 0o755)
        with open(os.path.join(td, "kernel.json"), "w") as f:
            json.dump(spec["json"], f, indent=1)
        dest = ksm.install_kernel_spec(td, spec["name"], user=user, prefix=prefix)
        shutil.rmtree(td, ignore_errors=True)
        out["done"].append(dest)
elif req["op"] == "uninstall":
    for name in req["names"]:
        dest = ksm._get_destination_dir(name, user=user, prefix=prefix)
        if os.path.isdir(dest):
            shutil.rmtree(dest)
            out["done"].append(dest)
elif req["op"] == "list":
    out["specs"] = {n: {"resource_dir": s["resource_dir"], "argv": s["spec"].get("argv", [])} for n, s in ksm.get_all_specs().items()}
if req["op"] in ("install", "uninstall"):
    probe = ksm._get_destination_dir("x", user=user, prefix=prefix)
    out["data_dir"] = os.path.dirname(os.path.dirname(probe))
print(json.dumps(out))
`;

/** Pythons tried in order when none is given: the first that can import jupyter_client wins. */
const PYTHON_CANDIDATES = ["python3", "/usr/bin/python3", "python"];

function runHelper(python: string | undefined, request: object): any {
  const candidates = python ? [python] : PYTHON_CANDIDATES;
  const tried: string[] = [];
  for (const py of candidates) {
    const r = spawnSync(py, ["-c", HELPER, JSON.stringify(request)], {
      encoding: "utf8",
      env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
    });
    if (r.error) {
      tried.push(`${py} (not found)`);
      continue;
    }
    const lastLine = r.stdout.trim().split("\n").pop() ?? "";
    let answer: any;
    try {
      answer = JSON.parse(lastLine);
    } catch {
      throw new Error(`${py} failed: ${r.stderr.trim() || r.stdout.trim()}`);
    }
    if (answer.error === "no-jupyter") {
      tried.push(`${py} (no jupyter_client)`);
      continue;
    }
    return answer;
  }
  throw new JupyterMissing(
    `Jupyter was not found: tried ${tried.join(", ")}.\n` +
      `Install Jupyter (pip install jupyterlab, or apt install jupyter-notebook), ` +
      `or point at the Python that has it with --python /path/to/python3.`,
  );
}

export interface InstallOptions {
  location?: InstallLocation;
  python?: string;
  log?: (line: string) => void;
  /** Run after the kernelspecs are written (install) or removed (uninstall), e.g. the widget kit's. */
  steps?: InstallStep[];
}

export function installKernel(options: InstallOptions = {}): string[] {
  const log = options.log ?? (() => undefined);
  const answer = runHelper(options.python, {
    op: "install",
    location: options.location ?? { kind: "default" },
    specs: kernelSpecs(),
  });
  for (const d of answer.done) log(`installed kernelspec ${d}`);
  const ctx: InstallContext = { dataDir: answer.data_dir, python: answer.python, log };
  for (const step of options.steps ?? []) step.install(ctx);
  log(`Jupyter: ${answer.python}. Pick "TypeScript (DeepViz)" as the notebook's kernel.`);
  return answer.done;
}

export function uninstallKernel(options: InstallOptions = {}): string[] {
  const log = options.log ?? (() => undefined);
  const answer = runHelper(options.python, {
    op: "uninstall",
    location: options.location ?? { kind: "default" },
    names: Object.values(KERNEL_NAMES),
  });
  for (const d of answer.done) log(`removed kernelspec ${d}`);
  if (answer.done.length === 0) log("no DeepViz kernelspec was installed there");
  const ctx: InstallContext = { dataDir: answer.data_dir, python: answer.python, log };
  for (const step of options.steps ?? []) step.uninstall(ctx);
  return answer.done;
}

export interface ListedKernel {
  name: string;
  resourceDir: string;
  /** A DeepViz kernel (its argv runs deepviz-kernel). */
  ours: boolean;
}

export function listKernels(options: { python?: string } = {}): ListedKernel[] {
  const answer = runHelper(options.python, { op: "list" });
  return Object.entries(answer.specs as Record<string, { resource_dir: string; argv: string[] }>).map(([name, s]) => ({
    name,
    resourceDir: s.resource_dir,
    ours: s.argv.some((a) => a.includes("deepviz-kernel")),
  }));
}
