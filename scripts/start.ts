/**
 * `npm start`: build the project if its sources changed, execute every lesson under notebooks/ with the
 * project's own headless runner (no Python, no Jupyter), and write the HTML site.
 *
 *   npm start [-- --out DIR] [--only TEXT] [--timeout SECONDS] [--no-build]
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { buildSite, repoRoot, SiteLesson } from "./site/build-site";
import { Notebook, notebookErrors } from "./site/notebook";
import { findRunner, RunProgress } from "./site/runner";

interface StartOptions {
  out: string;
  only?: string;
  timeoutSec: number;
  build: boolean;
}

const USAGE = `usage: npm start [-- --out DIR] [--only TEXT] [--timeout SECONDS] [--no-build]
  --out DIR        where the site goes (default: site/)
  --only TEXT      run only the notebooks whose file name contains TEXT
  --timeout S      per-cell limit in seconds (default 600)
  --no-build       do not rebuild dist/ even when sources are newer`;

function parse(argv: string[], root: string): StartOptions {
  const opts: StartOptions = { out: path.join(root, "site"), timeoutSec: 600, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "--out") opts.out = path.resolve(value());
    else if (a === "--only") opts.only = value();
    else if (a === "--timeout") opts.timeoutSec = Number(value());
    else if (a === "--no-build") opts.build = false;
    else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (!(opts.timeoutSec > 0)) throw new Error(`--timeout must be a positive number of seconds\n${USAGE}`);
  return opts;
}

const SOURCE_DIRS = ["src", "kernel-ext/src", "widgets/src", "entry/src", "scripts"];

export function newestMtime(dir: string, ext: RegExp): number {
  if (!fs.existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, ext));
    else if (ext.test(entry.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** dist/ is stale when any TypeScript source is newer than the package's compiled entry. */
export function needsBuild(root: string): boolean {
  const entry = path.join(root, "dist", "entry", "src", "index.js");
  if (!fs.existsSync(entry)) return true;
  const built = fs.statSync(entry).mtimeMs;
  return (
    SOURCE_DIRS.some((d) => newestMtime(path.join(root, d), /\.ts$/) > built) ||
    fs.statSync(path.join(root, "tsconfig.json")).mtimeMs > built
  );
}

function build(root: string): void {
  process.stderr.write("building the project (tsc) ... ");
  const t0 = Date.now();
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-b"], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) {
    process.stderr.write("failed\n");
    throw new Error(`the build failed; fix these and run npm start again:\n${r.stdout}${r.stderr}`);
  }
  // tsc leaves an unchanged entry's mtime alone; touch it so the next start sees a fresh build.
  const entry = path.join(root, "dist", "entry", "src", "index.js");
  const now = new Date();
  fs.utimesSync(entry, now, now);
  process.stderr.write(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

export function lessonFiles(root: string, only?: string): string[] {
  const dir = path.join(root, "notebooks");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.endsWith(".executed.ipynb") && (!only || f.includes(only)))
    .sort()
    .map((f) => path.join(dir, f));
}

function firstLine(source: string): string {
  const line = source.split("\n").find((l) => l.trim() !== "" && !l.trim().startsWith("//")) ?? "";
  return line.length > 56 ? line.slice(0, 53) + "..." : line;
}

async function main(): Promise<void> {
  const root = repoRoot();
  const opts = parse(process.argv.slice(2), root);
  if (opts.build && needsBuild(root)) build(root);
  const files = lessonFiles(root, opts.only);
  if (files.length === 0)
    throw new Error(`no notebooks under ${path.join(root, "notebooks")}${opts.only ? ` matching "${opts.only}"` : ""}`);
  const runNotebook = findRunner(root);
  const executedDir = path.join(opts.out, "notebooks");
  fs.mkdirSync(executedDir, { recursive: true });

  const lessons: SiteLesson[] = [];
  let failed = 0;
  for (const [i, file] of files.entries()) {
    const name = path.basename(file);
    const tag = `[${i + 1}/${files.length}] ${name}`;
    const onProgress = (e: RunProgress) => {
      if (e.kind === "start") process.stderr.write(`${tag}: ${e.codeCells} code cells, starting the kernel\n`);
      else if (e.kind === "cell-start") process.stderr.write(`  cell ${e.codeIndex}/${e.codeCells} ${firstLine(e.source)} `);
      else if (e.kind === "cell-done")
        process.stderr.write(`${e.status === "ok" ? "ok" : e.status.toUpperCase()} ${(e.ms / 1000).toFixed(1)} s\n`);
    };
    const t0 = Date.now();
    const result = await runNotebook(file, { timeoutSec: opts.timeoutSec, outDir: executedDir, html: false, onProgress });
    const seconds = (Date.now() - t0) / 1000;
    const notebook = result.notebook as Notebook;
    const errors = notebookErrors(notebook);
    if (!result.ok || errors.length > 0) {
      failed++;
      for (const f of result.failures) process.stderr.write(`${tag}: cell ${f.cellIndex + 1} failed: ${f.ename}: ${f.evalue}\n`);
    }
    process.stderr.write(`${tag}: ${result.ok ? "done" : "FAILED"} in ${seconds.toFixed(1)} s\n`);
    lessons.push({ file: name, notebook, seconds });
  }

  process.stderr.write("writing the site\n");
  const site = await buildSite(lessons, opts.out, (line) => process.stderr.write(`  ${line}\n`));
  const index = path.join(site.outDir, "index.html");
  console.log(`\nThe lessons site is in ${site.outDir}\nOpen ${index} in a browser (file://${index}).`);
  if (failed > 0) {
    console.log(`${failed} notebook(s) had errors: their pages show where.`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(`npm start: ${e.message}`);
    process.exit(1);
  });
}
