/** The pieces of `npm start` and `npm run lab` that need no kernel: build staleness, lesson discovery, Jupyter discovery. */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findJupyter, INSTALL_HELP, pythonCandidates } from "../../scripts/lab";
import { repoRoot } from "../../scripts/site/build-site";
import { lessonFiles, needsBuild } from "../../scripts/start";

describe("npm start and npm run lab helpers", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-start-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("rebuilds when dist is missing or any TypeScript source is newer than it", () => {
    fs.mkdirSync(path.join(dir, "src"));
    fs.writeFileSync(path.join(dir, "tsconfig.json"), "{}");
    fs.writeFileSync(path.join(dir, "src", "a.ts"), "export {}");
    assert.equal(needsBuild(dir), true, "no dist");
    fs.mkdirSync(path.join(dir, "dist", "entry", "src"), { recursive: true });
    const entry = path.join(dir, "dist", "entry", "src", "index.js");
    fs.writeFileSync(entry, "");
    const old = new Date(Date.now() - 60_000);
    const built = new Date(Date.now() - 30_000);
    fs.utimesSync(entry, built, built);
    fs.utimesSync(path.join(dir, "src", "a.ts"), old, old);
    fs.utimesSync(path.join(dir, "tsconfig.json"), old, old);
    assert.equal(needsBuild(dir), false, "fresh dist");
    fs.mkdirSync(path.join(dir, "scripts", "site"), { recursive: true });
    fs.writeFileSync(path.join(dir, "scripts", "site", "b.ts"), "export {}"); // newer than dist
    assert.equal(needsBuild(dir), true, "a newer source in a nested folder");
  });

  it("finds the lessons in order, skipping executed copies, and filters with --only", () => {
    fs.mkdirSync(path.join(dir, "notebooks"));
    for (const f of ["02-b.ipynb", "01-a.ipynb", "01-a.executed.ipynb", "notes.md"]) fs.writeFileSync(path.join(dir, "notebooks", f), "{}");
    assert.deepEqual(lessonFiles(dir).map((f) => path.basename(f)), ["01-a.ipynb", "02-b.ipynb"]);
    assert.deepEqual(lessonFiles(dir, "02").map((f) => path.basename(f)), ["02-b.ipynb"]);
    assert.deepEqual(lessonFiles(path.join(dir, "nowhere")), []);
  });

  it("finds Debian's Jupyter and says what to install where a Python has none", () => {
    const found = findJupyter(["/usr/bin/python3"]);
    assert.ok(found, "Debian's jupyter-notebook is installed here");
    assert.equal(found.python, "/usr/bin/python3");
    assert.ok(["notebook", "jupyterlab"].includes(found.app));
    assert.equal(findJupyter([path.join(dir, "no-such-python")]), undefined);
    assert.deepEqual(pythonCandidates("/opt/py"), ["/opt/py"]);
    // A Python without Jupyter: `npm run lab` exits 1 with the install help, naming npm start as the way without Jupyter.
    const fakePython = path.join(dir, "python3");
    fs.writeFileSync(fakePython, "#!/bin/sh\necho '{}'\n", { mode: 0o755 });
    const r = spawnSync(process.execPath, [require.resolve("tsx/cli"), path.join(repoRoot(__dirname), "scripts", "lab.ts"), "--python", fakePython, "--check"], { encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.ok(r.stderr.includes(INSTALL_HELP.split("\n")[0]));
    assert.ok(r.stderr.includes("apt-get install jupyter-notebook") && r.stderr.includes("npm start"));
  });
});

async function freePort(): Promise<number> {
  const net = await import("net");
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("npm run lab", function () {
  this.timeout(120_000);
  const root = repoRoot(__dirname);
  const kernelCli = path.join(root, "entry", "bin", "deepviz-kernel.js");

  it("installs the DeepViz kernelspec and starts Debian's Jupyter on the lessons", async function () {
    if (!fs.existsSync(kernelCli) || !fs.existsSync(path.join(root, "dist", "kernel-ext", "src", "installer.js"))) {
      throw new Error("the kernel (kernel-ext) is not built: run `npm run build` first");
    }
    // A private Jupyter data dir: the user's own kernelspecs stay untouched.
    const data = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-lab-"));
    const env = { ...process.env, JUPYTER_DATA_DIR: data, JUPYTER_RUNTIME_DIR: path.join(data, "runtime"), JUPYTER_CONFIG_DIR: path.join(data, "config") };
    const { spawn } = await import("child_process");
    const port = await freePort();
    const lab = spawn(process.execPath, [require.resolve("tsx/cli"), path.join(root, "scripts", "lab.ts"), "--python", "/usr/bin/python3", "--no-browser", `--port=${port}`, "--ip=127.0.0.1"], { env, detached: true });
    let log = "";
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Jupyter did not start:\n${log}`)), 90_000);
        const seen = (chunk: Buffer) => {
          log += chunk.toString();
          const m = new RegExp(`(http://127\\.0\\.0\\.1:${port}/[^\\s]*token=[0-9a-f]+)`).exec(log);
          if (m) { clearTimeout(timer); resolve(m[1]); }
        };
        lab.stdout.on("data", seen);
        lab.stderr.on("data", seen);
        lab.on("exit", (code) => reject(new Error(`npm run lab exited with ${code}:\n${log}`)));
      });
      assert.ok(fs.existsSync(path.join(data, "kernels", "deepviz", "kernel.json")), "kernelspec installed in the data dir");
      const u = new URL(url);
      const specs = await (await fetch(`${u.origin}/api/kernelspecs?token=${u.searchParams.get("token")}`)).json() as { kernelspecs: Record<string, unknown> };
      assert.ok("deepviz" in specs.kernelspecs, `Jupyter lists ${Object.keys(specs.kernelspecs).join(", ")}`);
      const contents = await (await fetch(`${u.origin}/api/contents?token=${u.searchParams.get("token")}`)).json() as { content: { name: string }[] };
      assert.ok(contents.content.some((f) => f.name === "01-weights-and-feature-maps.ipynb"), "Jupyter serves notebooks/");
    } finally {
      try { process.kill(-lab.pid!, "SIGTERM"); } catch { /* already gone */ }
      await new Promise((ok) => setTimeout(ok, 500));
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});
