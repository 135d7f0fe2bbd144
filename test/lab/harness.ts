/**
 * The project's own JupyterLab for browser tests: built (cached) and served by lab/server.py on
 * 127.0.0.1 with a token, on a copy of notebooks/ under test-output/lab/ (so Lab's autosave never writes
 * outputs into the lessons), driven by Debian's Chromium. Page helpers act as a user does: menus, mouse.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { Browser, chromium, Locator, Page } from "playwright-core";
import { ensureLabBuild, ensureLabextension } from "../../scripts/lab-build";
import { ownLabPrefix, ownLabServerArgs } from "../../scripts/lab";
import { repoRoot } from "../../scripts/site/build-site";

export const ROOT = repoRoot(__dirname);
export const OUT = path.join(ROOT, "test-output", "lab");
const PYTHON = "/usr/bin/python3";

export interface Lab {
  origin: string;
  token: string;
  /** The folder the server serves: a copy of notebooks/. */
  served: string;
  browser: Browser;
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Every notebook under notebooks/ (lessons, assignments, any folder), sorted. */
export function allNotebooks(dir = path.join(ROOT, "notebooks")): string[] {
  const found: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith(".")) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) found.push(...allNotebooks(p));
    else if (e.name.endsWith(".ipynb")) found.push(p);
  }
  return found.sort();
}

/** Start the server on a fresh copy of notebooks/ in test-output/lab/<folder>/. */
export async function startLab(folder = "notebooks"): Promise<Lab> {
  ensureLabextension(ROOT);
  const build = ensureLabBuild(ROOT);
  const install = spawnSync(process.execPath, [path.join(ROOT, "entry", "bin", "deepviz-kernel.js"), "install", "--prefix", ownLabPrefix(ROOT), "--python", PYTHON], { encoding: "utf8" });
  if (install.status !== 0) throw new Error(`kernel install failed:\n${install.stdout}${install.stderr}`);
  const served = path.join(OUT, folder);
  fs.rmSync(served, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, "notebooks"), served, { recursive: true });
  const token = randomBytes(16).toString("hex");
  const port = await freePort();
  const runtime = path.join(OUT, "runtime");
  const server: ChildProcess = spawn(PYTHON, [...ownLabServerArgs(ROOT, { build, token, rootDir: served }), "--ServerApp.ip=127.0.0.1", `--ServerApp.port=${port}`, "--ServerApp.port_retries=0"], {
    cwd: ROOT,
    env: { ...process.env, JUPYTER_RUNTIME_DIR: runtime },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  server.stdout!.on("data", (c) => (log += c));
  server.stderr!.on("data", (c) => (log += c));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`lab/server.py exited:\n${log}`);
    try {
      const r = await fetch(`${origin}/api/status?token=${token}`);
      if (r.ok) break;
    } catch {
      /* not yet listening */
    }
    if (Date.now() > deadline) throw new Error(`lab/server.py did not answer in 60 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  return {
    origin,
    token,
    served,
    browser,
    log: () => log,
    async stop() {
      await browser.close().catch(() => undefined);
      server.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 300));
      if (server.exitCode === null) server.kill("SIGKILL");
    },
  };
}

/** Console messages JupyterLab itself logs against jupyter_server 1.x (endpoints only version 2 has). */
export const HARMLESS_CONSOLE = [/\/api\/events\/subscribe/, /\/api\/me\b/, /Failed to load resource: the server responded with a status of 404/];

export async function openNotebook(lab: Lab, file: string, consoleErrors: string[]): Promise<Page> {
  const page = await lab.browser.newPage({ viewport: { width: 1500, height: 1100 } });
  page.on("console", (m) => {
    if (m.type() === "error" && !HARMLESS_CONSOLE.some((re) => re.test(m.text()) || re.test(m.location().url))) consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(`page error: ${e.message}`));
  const rel = path.relative(lab.served, file).split(path.sep).map(encodeURIComponent).join("/");
  // ?reset: a fresh workspace, so notebooks opened by earlier pages are not restored beside this one
  await page.goto(`${lab.origin}/lab/tree/${rel}?reset&token=${lab.token}`);
  await page.waitForSelector("body[data-deepviz-lab=ready]", { state: "attached", timeout: 120_000 });
  await page.waitForSelector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", { timeout: 60_000 });
  await waitKernel(page, "idle", 120_000);
  return page;
}

export async function waitKernel(page: Page, status: string, timeout: number): Promise<void> {
  await page.waitForSelector(`.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status="${status}"]`, { state: "attached", timeout });
}

/** Open a menu of the menu bar and pick an item, as a user does (once it is shown and enabled). */
export async function menu(page: Page, top: string, item: RegExp): Promise<void> {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: new RegExp(`^${top}$`) }).click();
  const entry = page.locator(".lm-Menu-content .lm-Menu-item:not(.lm-mod-disabled)").filter({ has: page.locator(".lm-Menu-itemLabel", { hasText: item }) }).first();
  await entry.waitFor({ state: "visible", timeout: 30_000 });
  await page.waitForTimeout(300); // the menu opens with a short animation; a click during it is lost
  await entry.click();
}

/** Run All from the Run menu; retried once when no cell got queued (a click lost while Lab was busy). */
export async function runAll(page: Page, timeout: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await menu(page, "Run", /^Run All Cells$/);
    try {
      await page.waitForFunction(
        () => Array.from(document.querySelectorAll(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt")).some((p) => /\[[*\d]/.test(p.textContent ?? "")),
        undefined,
        { timeout: 15_000 },
      );
      break;
    } catch (e) {
      if (attempt > 0) throw e;
    }
  }
  await waitAllRan(page, timeout);
}

/** Resolves when every code cell has run (a number in its prompt) and the kernel is idle. */
export async function waitAllRan(page: Page, timeout: number): Promise<void> {
  await page.waitForFunction(
    () => {
      const prompts = Array.from(document.querySelectorAll(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt"));
      const ind = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator") as HTMLElement | null;
      return prompts.length > 0 && prompts.every((p) => /\[\d+\]/.test(p.textContent ?? "")) && ind?.dataset.status === "idle";
    },
    undefined,
    { timeout, polling: 500 },
  );
}

export interface PageProblems {
  errorOutputs: string[];
  widgetErrors: string[];
  /** Top-level widget views shown in cell outputs. */
  widgetViews: number;
}

/** Error outputs and error streams (in cells and in Output widgets), and widgets that failed to display. */
export async function problems(page: Page): Promise<PageProblems> {
  return page.evaluate(() => {
    const nb = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)")!;
    const errorOutputs = Array.from(nb.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).map(
      (e) => (e.textContent ?? "").slice(0, 500),
    );
    const widgetErrors = Array.from(nb.querySelectorAll(".jp-OutputArea-output"))
      .filter((e) => /Error displaying widget|Error rendering|Failed to render/i.test(e.textContent ?? ""))
      .map((e) => (e.textContent ?? "").slice(0, 300));
    const widgetViews = nb.querySelectorAll(".jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output > .jupyter-widgets").length;
    return { errorOutputs, widgetErrors, widgetViews };
  });
}

/** Save from the File menu and count the widget views the saved notebook holds (read back from the server). */
export async function savedWidgetViews(page: Page, lab: Lab, file: string): Promise<number> {
  const rel = path.relative(lab.served, file).split(path.sep).map(encodeURIComponent).join("/");
  type Model = { last_modified: string; content: { cells: { outputs?: { data?: Record<string, unknown> }[] }[] } };
  const read = async (content: boolean) => (await (await fetch(`${lab.origin}/api/contents/${rel}?content=${content ? 1 : 0}&token=${lab.token}`)).json()) as Model;
  const before = (await read(false)).last_modified;
  await menu(page, "File", /^Save Notebook$/);
  let model = await read(true);
  for (let i = 0; i < 150 && model.last_modified === before; i++) {
    await page.waitForTimeout(200);
    model = await read(true);
  }
  if (model.last_modified === before) throw new Error("Save Notebook did not save the notebook");
  return model.content.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.["application/vnd.jupyter.widget-view+json"]).length;
}

/** Shut down every kernel of the server (each notebook page starts its own). */
export async function shutdownKernels(lab: Lab): Promise<void> {
  const kernels = (await (await fetch(`${lab.origin}/api/kernels?token=${lab.token}`)).json()) as { id: string }[];
  for (const k of kernels) await fetch(`${lab.origin}/api/kernels/${k.id}?token=${lab.token}`, { method: "DELETE" });
}

/** The top-level widget views of the notebook's cells, in order. */
export function widgetOutputs(page: Page): Locator {
  return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output:has(> .jupyter-widgets)");
}

/** RGBA pixels of every picture (canvas or img) in `scope`, each as screenshotted. */
/** A picture's pixels (RGBA), with the screenshot they came from (to save when a comparison fails). */
export type Shot = Uint8ClampedArray & { png: Buffer };

export async function pictures(scope: Locator): Promise<Shot[]> {
  const items = scope.locator("canvas, img");
  const out: Shot[] = [];
  for (let i = 0; i < (await items.count()); i++) {
    const el = items.nth(i);
    if (!(await el.isVisible())) continue;
    const box = await el.boundingBox();
    if (!box || box.width < 8 || box.height < 8) continue;
    const png = await el.screenshot({ animations: "disabled" });
    const img = await loadImage(png);
    const canvas = createCanvas(img.width, img.height);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    out.push(Object.assign(ctx.getImageData(0, 0, img.width, img.height).data, { png }));
  }
  return out;
}

/** Fraction of pixels that differ by more than `tol` in some channel (1 when the sizes differ). */
export function changedFraction(a: Uint8ClampedArray, b: Uint8ClampedArray, tol = 8): number {
  if (a.length !== b.length) return 1;
  let changed = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (Math.abs(a[i] - b[i]) > tol || Math.abs(a[i + 1] - b[i + 1]) > tol || Math.abs(a[i + 2] - b[i + 2]) > tol) changed++;
  }
  return changed / (a.length / 4);
}

/** The largest changed fraction over pictures paired by order (1 when their number differs). */
export function picturesChanged(before: Uint8ClampedArray[], after: Uint8ClampedArray[]): number {
  return mostChanged(before, after).fraction;
}

/** The pair of pictures (by order) that changed most, and by how much. */
export function mostChanged(before: Uint8ClampedArray[], after: Uint8ClampedArray[]): { index: number; fraction: number } {
  if (before.length !== after.length) return { index: -1, fraction: 1 };
  let worst = { index: -1, fraction: 0 };
  before.forEach((b, i) => {
    const fraction = changedFraction(b, after[i]);
    if (fraction > worst.fraction) worst = { index: i, fraction };
  });
  return worst;
}

/** Where an ipywidgets slider's handle is (its centre, in page pixels). */
export async function handleCentre(slider: Locator): Promise<{ x: number; y: number }> {
  const handle = slider.locator(".noUi-handle").first();
  await handle.scrollIntoViewIfNeeded();
  const h = (await handle.boundingBox())!;
  return { x: h.x + h.width / 2, y: h.y + h.height / 2 };
}

/** Drag an ipywidgets slider's handle with the mouse to page x `x` (in a few steps, as a hand does). */
export async function dragHandleTo(page: Page, slider: Locator, x: number): Promise<void> {
  const from = await handleCentre(slider);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(from.x + ((x - from.x) * i) / 8, from.y);
  await page.mouse.up();
}

/** Drag an ipywidgets slider's handle to `fraction` of its track. */
export async function dragSlider(page: Page, slider: Locator, fraction: number): Promise<void> {
  await handleCentre(slider);
  const t = (await slider.locator(".noUi-target, .noUi-base").first().boundingBox())!;
  await dragHandleTo(page, slider, t.x + t.width * fraction);
}
