/** `deepviz assignment release|grade`: nbgrader's generate_assignment and autograde, without Python. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs, UsageError } from "../args";
import { readNotebook } from "../notebook";
import { feedbackHtml } from "./feedback";
import { gradeNotebook, type GradeResult } from "./grade";
import { releaseNotebook } from "./release";

export const ASSIGNMENT_USAGE = `usage:
  deepviz assignment release SOURCE.ipynb --out DIR
  deepviz assignment grade SUBMISSION.ipynb|FOLDER --source SOURCE.ipynb [--json] [--feedback DIR]
                           [--timeout SECONDS] [--workers N] [--csv FILE]

release writes the student version into DIR: solutions become stubs that throw "Not done yet",
hidden tests and outputs are removed, Markdown answers read "YOUR ANSWER HERE".
grade restores every test and locked cell from SOURCE, runs the submission in a fresh kernel with a
per-cell timeout (default 60 s) and scores each test cell (it passes when it raises no error). A FOLDER
grades every notebook under it, N at a time (one kernel each; default: the number of CPUs, at most 4),
and writes a CSV of scores (default FOLDER/grades.csv). --json prints the result as JSON; --feedback
writes one HTML page per submission. Exit status 0 whatever the score; 1 when grading itself failed.`;

/** Every notebook under a folder (not executed copies or checkpoints), sorted. */
export function submissionsIn(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && !e.name.startsWith(".")) walk(p);
      else if (e.isFile() && e.name.endsWith(".ipynb") && !e.name.endsWith(".executed.ipynb")) found.push(p);
    }
  };
  walk(dir);
  return found;
}

/** Runs `work` over `items`, at most `workers` at a time, keeping the results in order. */
export async function inParallel<T, R>(items: T[], workers: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, worker));
  return results;
}

export function resultTable(result: GradeResult): string {
  const idWidth = Math.max(5, ...result.tests.map((t) => t.id.length), ...(result.manual ?? []).map((m) => m.id.length));
  const lines = [`${"test".padEnd(idWidth)}  earned  message`];
  for (const t of result.tests)
    lines.push(`${t.id.padEnd(idWidth)}  ${`${t.earned}/${t.points}`.padStart(6)}  ${t.message.split("\n")[0]}`);
  for (const m of result.manual ?? []) lines.push(`${m.id.padEnd(idWidth)}  ${`?/${m.points}`.padStart(6)}  graded by hand`);
  lines.push(`${"total".padEnd(idWidth)}  ${`${result.score}/${result.max}`.padStart(6)}`);
  return lines.join("\n");
}

function csvField(s: string | number): string {
  const text = String(s);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function scoresCsv(rows: { submission: string; result: GradeResult }[]): string {
  const ids = rows[0]?.result.tests.map((t) => t.id) ?? [];
  const lines = [["submission", "score", "max", ...ids].map(csvField).join(",")];
  for (const { submission, result } of rows) {
    const earned = new Map(result.tests.map((t) => [t.id, t.earned]));
    lines.push([submission, result.score, result.max, ...ids.map((id) => earned.get(id) ?? 0)].map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}

function release(rest: string[]): void {
  const { positionals, options } = parseArgs(rest, ["out"], []);
  if (positionals.length !== 1) throw new UsageError("release needs exactly one SOURCE notebook");
  if (typeof options.out !== "string") throw new UsageError("release needs --out DIR");
  const source = positionals[0];
  const released = releaseNotebook(readNotebook(fs.readFileSync(source, "utf8"), source), source);
  fs.mkdirSync(options.out, { recursive: true });
  const target = path.join(options.out, path.basename(source));
  if (path.resolve(target) === path.resolve(source))
    throw new UsageError("--out must be another folder than the source's: release would overwrite the solutions");
  fs.writeFileSync(target, JSON.stringify(released, null, 1) + "\n");
  process.stderr.write(`wrote ${target}\n`);
}

async function grade(rest: string[]): Promise<void> {
  const { positionals, options } = parseArgs(rest, ["source", "feedback", "timeout", "workers", "csv"], ["json"]);
  if (positionals.length !== 1) throw new UsageError("grade needs exactly one SUBMISSION notebook or folder");
  if (typeof options.source !== "string") throw new UsageError("grade needs --source SOURCE.ipynb (the instructor's version)");
  const timeoutSec = options.timeout === undefined ? undefined : Number(options.timeout);
  if (timeoutSec !== undefined && !(timeoutSec > 0))
    throw new UsageError(`--timeout must be a positive number of seconds, got ${options.timeout}`);
  const workers = options.workers === undefined ? Math.min(4, os.cpus().length) : Number(options.workers);
  if (!Number.isInteger(workers) || workers < 1)
    throw new UsageError(`--workers must be a whole number ≥ 1, got ${options.workers}`);
  const target = positionals[0];
  if (!fs.existsSync(target)) throw new Error(`${target} does not exist`);
  const folder = fs.statSync(target).isDirectory();
  const files = folder
    ? submissionsIn(target).filter((f) => path.resolve(f) !== path.resolve(options.source as string))
    : [target];
  if (files.length === 0) throw new Error(`no notebooks under ${target}`);
  const feedback = typeof options.feedback === "string" ? options.feedback : undefined;
  if (feedback) fs.mkdirSync(feedback, { recursive: true });

  const rows = await inParallel(files, workers, async (file) => {
    const name = folder ? path.relative(target, file).replace(/\.ipynb$/, "") : path.basename(file, ".ipynb");
    if (folder) process.stderr.write(`grading ${name}\n`);
    const { result, executed } = await gradeNotebook(file, options.source as string, { timeoutSec });
    if (feedback)
      fs.writeFileSync(path.join(feedback, `${name.replace(/[\\/]/g, "__")}.html`), feedbackHtml(name, executed, result));
    return { submission: name, result };
  });

  if (folder) {
    const csv = typeof options.csv === "string" ? options.csv : path.join(target, "grades.csv");
    fs.writeFileSync(csv, scoresCsv(rows));
    if (options.json)
      console.log(JSON.stringify({ submissions: rows.map((r) => ({ submission: r.submission, ...r.result })) }, null, 1));
    else for (const r of rows) console.log(`${r.submission}: ${r.result.score} / ${r.result.max}`);
    process.stderr.write(`wrote ${csv}\n`);
  } else if (options.json) console.log(JSON.stringify(rows[0].result, null, 1));
  else console.log(resultTable(rows[0].result));
}

export async function assignmentMain(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    console.log(ASSIGNMENT_USAGE);
    return;
  }
  if (command === "release") release(rest);
  else if (command === "grade") await grade(rest);
  else throw new UsageError(`unknown assignment command ${JSON.stringify(command)}`);
}
