/**
 * Real parts for the end-to-end test and the benchmark: Debian's Jupyter server running the DeepViz
 * kernel, a local static server for the test page and the kit's AMD bundle, and Chromium through
 * playwright-core. `startE2E()` builds what it needs and `stop()` ends every process it started.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { build } from "esbuild";
import { Browser, chromium, Page } from "playwright-core";
import { defaultKernelArgv } from "../../../kernel-ext/src/client";

/** The repository root (this file also runs compiled, from dist/test/widgets/e2e). */
export const REPO = (() => {
  for (let d = __dirname; path.dirname(d) !== d; d = path.dirname(d)) {
    const pkg = path.join(d, "package.json");
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, "utf8")).name === "deepviz") return d;
  }
  throw new Error(`no deepviz package.json above ${__dirname}`);
})();
const E2E_SOURCES = path.join(REPO, "test", "widgets", "e2e");
export const OUT = path.join(REPO, "test-output", "widgets");
const PAGE_DIR = path.join(OUT, "page");
const AMD_BUNDLE = path.join(REPO, "widgets", "frontend", "dist", "index.js");

export interface E2E {
  page: Page;
  browser: Browser;
  /** Run a cell in the kernel from the page; widget outputs are rendered there. */
  run(code: string): Promise<{ status: string; text: string[]; widgets: number }>;
  screenshot(name: string): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** tsc build (cells import the built package), the AMD bundle, and the test page. */
export async function buildAll(log: (s: string) => void = () => undefined): Promise<void> {
  log("tsc build");
  // tsc writes JavaScript even when some file elsewhere has a type error; the cells need only that.
  try {
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b", path.join(REPO, "tsconfig.json")], {
      cwd: REPO,
      stdio: "pipe",
    });
  } catch (err) {
    const out = String((err as { stdout?: Buffer }).stdout ?? err);
    if (!fs.existsSync(path.join(REPO, "dist", "entry", "src", "index.js"))) throw new Error(`tsc build failed:\n${out}`);
    log(`tsc reported type errors (JavaScript was still written):\n${out.split("\n").slice(0, 4).join("\n")}`);
  }
  log("AMD bundle");
  execFileSync(process.execPath, [path.join(REPO, "widgets", "frontend", "build.mjs")], { cwd: REPO, stdio: "inherit" });
  log("test page");
  fs.mkdirSync(PAGE_DIR, { recursive: true });
  await build({
    entryPoints: [path.join(E2E_SOURCES, "page.ts")],
    bundle: true,
    outdir: PAGE_DIR,
    platform: "browser",
    format: "iife",
    target: "es2020",
    minify: true,
    loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file", ".svg": "file", ".png": "file", ".gif": "file" },
    define: { "process.env.NODE_ENV": '"production"', global: "globalThis" },
    // html-manager sets webpack's public path for its font files; give it the variable to set.
    banner: { js: 'var __webpack_public_path__ = "/";' },
    logLevel: "warning",
  });
  fs.copyFileSync(path.join(E2E_SOURCES, "index.html"), path.join(PAGE_DIR, "index.html"));
}

/** Serves the page and, under /amd/deepviz-widgets@<version>/dist/index.js, the kit's AMD bundle. */
function staticServer(port: number): http.Server {
  const types: Record<string, string> = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
  };
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? "/").split("?")[0]);
    const file = url.startsWith("/amd/deepviz-widgets@")
      ? AMD_BUNDLE
      : path.join(PAGE_DIR, url === "/" ? "index.html" : path.normalize(url).replace(/^(\.\.[/\\])+/, ""));
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404).end("not found");
        return;
      }
      res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" }).end(body);
    });
  });
  server.listen(port, "127.0.0.1");
  return server;
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startE2E(options: { build?: boolean; log?: (s: string) => void } = {}): Promise<E2E> {
  const log = options.log ?? (() => undefined);
  if (options.build !== false) await buildAll(log);
  const work = path.join(OUT, "jupyter");
  fs.rmSync(work, { recursive: true, force: true });
  // The DeepViz kernelspec, in a Jupyter data dir of our own.
  const specDir = path.join(work, "data", "kernels", "deepviz");
  fs.mkdirSync(specDir, { recursive: true });
  fs.writeFileSync(
    path.join(specDir, "kernel.json"),
    JSON.stringify({
      argv: defaultKernelArgv(false),
      display_name: "TypeScript (DeepViz)",
      language: "typescript",
      interrupt_mode: "signal",
    }),
  );
  const jupyterPort = await freePort();
  const pagePort = await freePort();
  const token = `t${Math.random().toString(36).slice(2)}`;
  const procs: ChildProcess[] = [];
  const serverLog = fs.createWriteStream(path.join(OUT, "jupyter-server.log"));
  const jupyter = spawn(
    "/usr/bin/python3",
    [
      "-m",
      "notebook",
      "--no-browser",
      `--port=${jupyterPort}`,
      "--ip=127.0.0.1",
      `--NotebookApp.token=${token}`,
      "--NotebookApp.allow_origin=*",
      "--NotebookApp.disable_check_xsrf=True",
      "--allow-root",
      `--notebook-dir=${REPO}`,
    ],
    {
      cwd: REPO,
      env: {
        ...process.env,
        JUPYTER_PATH: path.join(work, "data"),
        JUPYTER_RUNTIME_DIR: path.join(work, "runtime"),
        JUPYTER_CONFIG_DIR: path.join(work, "config"),
        PYDEVD_DISABLE_FILE_VALIDATION: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  jupyter.stdout!.pipe(serverLog);
  jupyter.stderr!.pipe(serverLog);
  procs.push(jupyter);
  const server = staticServer(pagePort);
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    server.close();
    for (const p of procs) if (p.exitCode === null) p.kill("SIGTERM");
    await Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once("exit", r)) : undefined)));
  };
  try {
    const base = `http://127.0.0.1:${jupyterPort}`;
    await waitFor(async () => (await fetch(`${base}/api/status?token=${token}`)).ok, 30_000, "the Jupyter server");
    log("jupyter server up");
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on("pageerror", (e) => log(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") log(`page console: ${m.text()}`);
    });
    await page.goto(`http://127.0.0.1:${pagePort}/`);
    const implementation = await page.evaluate(([u, t]) => (window as any).deepviz.start(u, t, "deepviz"), [
      base,
      token,
    ] as const);
    log(`kernel started: ${implementation}`);
    fs.mkdirSync(path.join(OUT, "screenshots"), { recursive: true });
    return {
      page,
      browser,
      run: (code) => page.evaluate((c) => (window as any).deepviz.run(c), code),
      async screenshot(name) {
        const file = path.join(OUT, "screenshots", `${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        return file;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The first canvas under `selector`, as RGBA numbers. */
export async function canvasPixels(page: Page, selector: string): Promise<number[]> {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel) as HTMLCanvasElement;
    return Array.from(c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data);
  }, selector);
}

/** Fraction of pixels (RGBA quadruples) that differ by more than `tol` in some channel. */
export function changedFraction(a: number[], b: number[], tol = 8): number {
  if (a.length !== b.length) return 1;
  let changed = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (Math.abs(a[i] - b[i]) > tol || Math.abs(a[i + 1] - b[i + 1]) > tol || Math.abs(a[i + 2] - b[i + 2]) > tol) changed++;
  }
  return changed / (a.length / 4);
}
