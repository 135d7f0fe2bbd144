/** The pieces of `npm start` and `npm run lab` that need no kernel: build staleness, lesson discovery, Jupyter discovery. */
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findJupyter, INSTALL_HELP, ownLabPrefix, pythonCandidates } from "../../scripts/lab";
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
    for (const f of ["02-b.ipynb", "01-a.ipynb", "01-a.executed.ipynb", "notes.md"])
      fs.writeFileSync(path.join(dir, "notebooks", f), "{}");
    assert.deepEqual(
      lessonFiles(dir).map((f) => path.basename(f)),
      ["01-a.ipynb", "02-b.ipynb"],
    );
    assert.deepEqual(
      lessonFiles(dir, "02").map((f) => path.basename(f)),
      ["02-b.ipynb"],
    );
    assert.deepEqual(lessonFiles(path.join(dir, "nowhere")), []);
  });

  it("finds Debian's Jupyter server (for the project's own JupyterLab) and says what to install where a Python has none", () => {
    const found = findJupyter(["/usr/bin/python3"]);
    assert.ok(found, "Debian's python3-jupyter-server and python3-jupyterlab-server are installed here");
    assert.equal(found.python, "/usr/bin/python3");
    // Debian's Notebook is 6.x and it has no JupyterLab 4: the project's own JupyterLab serves the lessons
    assert.equal(found.app, "own");
    assert.match(found.version, /jupyter_server \d+\.\d+.*jupyterlab_server 2\./);
    assert.equal(findJupyter([path.join(dir, "no-such-python")]), undefined);
    assert.deepEqual(pythonCandidates("/opt/py"), ["/opt/py"]);
    // A Python without Jupyter: `npm run lab` exits 1 with the install help, naming npm start as the way without Jupyter.
    const fakePython = path.join(dir, "python3");
    fs.writeFileSync(fakePython, "#!/bin/sh\necho '{}'\n", { mode: 0o755 });
    const r = spawnSync(
      process.execPath,
      [require.resolve("tsx/cli"), path.join(repoRoot(__dirname), "scripts", "lab.ts"), "--python", fakePython, "--check"],
      { encoding: "utf8" },
    );
    assert.equal(r.status, 1);
    assert.ok(r.stderr.includes(INSTALL_HELP.split("\n")[0]));
    assert.ok(
      r.stderr.includes("apt-get install python3-jupyter-server python3-jupyterlab-server") && r.stderr.includes("npm start"),
    );
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

/** Start `npm run lab` (scripts/lab.ts) and resolve with the URL it prints, or reject with its output. */
function startLabScript(args: string[], env: NodeJS.ProcessEnv, pattern: RegExp, timeoutMs: number) {
  const lab = spawn(
    process.execPath,
    [require.resolve("tsx/cli"), path.join(repoRoot(__dirname), "scripts", "lab.ts"), ...args],
    { env, detached: true },
  );
  let log = "";
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run lab printed no URL in ${timeoutMs / 1000} s:\n${log}`)), timeoutMs);
    const seen = (chunk: Buffer) => {
      log += chunk.toString();
      const m = pattern.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    lab.stdout.on("data", seen);
    lab.stderr.on("data", seen);
    lab.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run lab exited with ${code}:\n${log}`));
    });
  });
  return {
    url,
    stop: () => {
      try {
        process.kill(-lab.pid!, "SIGTERM");
      } catch {
        /* already gone */
      }
    },
    log: () => log,
  };
}

describe("npm run lab", function () {
  this.timeout(600_000);
  const root = repoRoot(__dirname);
  const kernelCli = path.join(root, "entry", "bin", "deepviz-kernel.js");
  before(() => {
    if (!fs.existsSync(kernelCli) || !fs.existsSync(path.join(root, "dist", "kernel-ext", "src", "installer.js"))) {
      throw new Error("the kernel (kernel-ext) is not built: run `npm run build` first");
    }
  });

  it("with only Debian's Jupyter server: builds (or reuses) the project's JupyterLab and serves the lessons on 127.0.0.1 with a token", async () => {
    const port = await freePort();
    const run = startLabScript(
      ["--python", "/usr/bin/python3", `--port=${port}`],
      process.env,
      new RegExp(`open (http://127\\.0\\.0\\.1:${port}/lab\\?token=[0-9a-f]{48})`),
      540_000,
    );
    try {
      const url = new URL(await run.url);
      const token = url.searchParams.get("token")!;
      const page = await (await fetch(url)).text();
      // the page is JupyterLab's, and loads the widget kit's labextension as a federated extension
      assert.match(page, /<title>JupyterLab \(DeepViz\)<\/title>/);
      const config = JSON.parse(/<script id="jupyter-config-data" type="application\/json">([\s\S]*?)<\/script>/.exec(page)![1]);
      assert.deepEqual(
        config.federated_extensions.map((e: { name: string }) => e.name),
        ["deepviz-widgets"],
      );
      assert.equal((await fetch(`${url.origin}${config.fullStaticUrl}/bundle.js`)).status, 200);
      const specs = (await (await fetch(`${url.origin}/api/kernelspecs?token=${token}`)).json()) as {
        kernelspecs: Record<string, unknown>;
      };
      assert.ok("deepviz" in specs.kernelspecs, `kernels: ${Object.keys(specs.kernelspecs).join(", ")}`);
      const contents = (await (await fetch(`${url.origin}/api/contents?token=${token}`)).json()) as {
        content: { name: string }[];
      };
      assert.ok(
        contents.content.some((f) => f.name === "01-weights-and-feature-maps.ipynb"),
        "it serves notebooks/",
      );
      // the token is required
      assert.equal((await fetch(`${url.origin}/api/contents`)).status, 403);
      assert.ok(
        fs.existsSync(path.join(ownLabPrefix(root), "share", "jupyter", "kernels", "deepviz", "kernel.json")),
        "kernel installed for the own JupyterLab only",
      );
    } finally {
      run.stop();
      await new Promise((ok) => setTimeout(ok, 500));
    }
  });

  it("with the user's JupyterLab 4 (a stub: none can be installed here): installs kernel and labextension there, starts it on notebooks/", async () => {
    // A Python whose `jupyterlab` module is a stub that records how it was started; everything else is Debian's.
    const stub = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-userlab-"));
    const data = path.join(stub, "data");
    fs.mkdirSync(path.join(stub, "site", "jupyterlab"), { recursive: true });
    fs.writeFileSync(path.join(stub, "site", "jupyterlab", "__init__.py"), `__version__ = "4.2.5"\n`);
    fs.writeFileSync(
      path.join(stub, "site", "jupyterlab", "__main__.py"),
      `import json, os, sys\njson.dump({"argv": sys.argv[1:]}, open(${JSON.stringify(path.join(stub, "started.json"))}, "w"))\nprint("stub JupyterLab running at http://127.0.0.1:1/lab?token=stub")\n`,
    );
    const python = path.join(stub, "python3");
    fs.writeFileSync(python, `#!/bin/sh\nPYTHONPATH=${path.join(stub, "site")} exec /usr/bin/python3 "$@"\n`, { mode: 0o755 });
    const env = { ...process.env, JUPYTER_DATA_DIR: data, JUPYTER_CONFIG_DIR: path.join(stub, "config") };
    try {
      const r = spawnSync(
        process.execPath,
        [require.resolve("tsx/cli"), path.join(root, "scripts", "lab.ts"), "--python", python, "--no-browser"],
        { env, encoding: "utf8", timeout: 300_000 },
      );
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Jupyter: jupyterlab 4\.2\.5/);
      const started = JSON.parse(fs.readFileSync(path.join(stub, "started.json"), "utf8")) as { argv: string[] };
      assert.ok(started.argv.includes(`--notebook-dir=${path.join(root, "notebooks")}`), started.argv.join(" "));
      assert.ok(started.argv.includes("--no-browser"), "the user's options are passed on");
      assert.ok(fs.existsSync(path.join(data, "kernels", "deepviz", "kernel.json")), "kernel installed in the user's data dir");
      assert.ok(
        fs.existsSync(path.join(data, "labextensions", "deepviz-widgets", "package.json")),
        "labextension installed there",
      );
    } finally {
      fs.rmSync(stub, { recursive: true, force: true });
    }
  });
});
