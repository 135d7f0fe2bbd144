/**
 * Autograding (nbgrader's autograde): the submission with every test and locked cell restored from the
 * source, run in a fresh kernel with a per-cell timeout; a test cell earns its points when it raises no error.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cellSource, readNotebook, type Cell, type Notebook, type Output } from "../notebook";
import { runNotebook, type CellStatus } from "../runner";
import { AssignmentError, cellRole, checkAssignment, nbgraderMeta, type GradedCell } from "./format";

export interface TestResult {
  id: string;
  points: number;
  earned: number;
  /** Empty when the test passed; else the error it raised, or why it did not run. */
  message: string;
}

export interface GradeResult {
  score: number;
  max: number;
  tests: TestResult[];
  /** Answers graded by hand (nbgrader: solution and grade); their points are not in `max`. */
  manual?: { id: string; points: number }[];
}

export interface GradeOptions {
  /** Per-cell limit in seconds (default 60): an endless loop costs that cell, not the class's grading. */
  timeoutSec?: number;
  /** The kernel's folder (default: the source notebook's, so its relative paths and imports work). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface GradedSubmission {
  result: GradeResult;
  /** The notebook that ran, with its outputs (for feedback). */
  executed: Notebook;
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x));
}

/**
 * The notebook to grade: the submission's cells in its order, where every cell whose grade id the source
 * knows takes the source's metadata, and (unless it is an answer) the source's text; source cells the
 * student deleted come back after the source cell before them; cells claiming unknown grade ids lose them.
 */
export function restoreFromSource(submission: Notebook, source: Notebook): Notebook {
  const sourceCells = new Map<string, Cell>();
  for (const cell of source.cells) {
    const m = nbgraderMeta(cell);
    if (m) sourceCells.set(m.grade_id, cell);
  }
  const placed = new Map<string, Cell>();
  const cells: Cell[] = [];
  for (const cell of submission.cells) {
    const id = nbgraderMeta(cell)?.grade_id;
    const original = id === undefined ? undefined : sourceCells.get(id);
    if (id === undefined || !original || placed.has(id)) {
      const plain = clone(cell);
      if ((plain.metadata as { nbgrader?: unknown }).nbgrader) delete (plain.metadata as { nbgrader?: unknown }).nbgrader;
      cells.push(plain);
      continue;
    }
    const restored = clone(original);
    if (cellRole(original) === "answer" || cellRole(original) === "manual") restored.source = clone(cell.source);
    placed.set(id, restored);
    cells.push(restored);
  }
  // Put back what was deleted, each after the source cell that came before it.
  let after: Cell | undefined;
  for (const original of source.cells) {
    const id = nbgraderMeta(original)?.grade_id;
    if (id === undefined) continue;
    let cell = placed.get(id);
    if (!cell) {
      cell = clone(original);
      if (cellRole(original) === "answer") cell.source = 'throw new Error("this answer cell was deleted from the submission");';
      cells.splice(after ? cells.indexOf(after) + 1 : 0, 0, cell);
      placed.set(id, cell);
    }
    after = cell;
  }
  for (const cell of cells) {
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }
  return {
    nbformat: 4,
    nbformat_minor: source.nbformat_minor,
    metadata: { ...clone(source.metadata), widgets: undefined },
    cells,
  };
}

function errorMessage(outputs: Output[], status: CellStatus | undefined): string {
  if (status === undefined) return "did not run: an earlier cell stopped the kernel (it died or stayed busy past the timeout)";
  // the last error: after a timeout the runner's CellTimeoutError follows the kernel's KeyboardInterrupt
  const err = outputs.filter((o) => o.output_type === "error").pop() as Extract<Output, { output_type: "error" }> | undefined;
  if (err) return `${err.ename}: ${err.evalue}`.trim();
  return status === "ok" ? "" : `the cell ended with status ${status}`;
}

/** Scores a notebook that ran: test by test, in the source's order. */
export function score(executed: Notebook, graded: GradedCell[], statuses: Map<number, CellStatus>): GradeResult {
  const byId = new Map<string, number>();
  executed.cells.forEach((c, i) => {
    const id = nbgraderMeta(c)?.grade_id;
    if (id !== undefined) byId.set(id, i);
  });
  const tests: TestResult[] = graded
    .filter((g) => g.role === "test")
    .map((g) => {
      const index = byId.get(g.id)!;
      const cell = executed.cells[index];
      const status = cellSource(cell).trim() === "" ? "ok" : statuses.get(index);
      const passed = status === "ok";
      return {
        id: g.id,
        points: g.points,
        earned: passed ? g.points : 0,
        message: passed ? "" : errorMessage(cell.outputs ?? [], status),
      };
    });
  const manual = graded.filter((g) => g.role === "manual").map((g) => ({ id: g.id, points: g.points }));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    score: sum(tests.map((t) => t.earned)),
    max: sum(tests.map((t) => t.points)),
    tests,
    ...(manual.length ? { manual } : {}),
  };
}

export async function gradeNotebook(
  submissionPath: string,
  sourcePath: string,
  options: GradeOptions = {},
): Promise<GradedSubmission> {
  const source = readNotebook(fs.readFileSync(sourcePath, "utf8"), sourcePath);
  const graded = checkAssignment(source, sourcePath);
  let submission: Notebook;
  try {
    submission = readNotebook(fs.readFileSync(submissionPath, "utf8"), submissionPath);
  } catch (e) {
    // A broken file is the student's zero, not a failure of grading.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw e;
    const tests = graded
      .filter((g) => g.role === "test")
      .map((g) => ({ id: g.id, points: g.points, earned: 0, message: `not graded: ${(e as Error).message}` }));
    return { result: { score: 0, max: tests.reduce((a, t) => a + t.points, 0), tests }, executed: { ...source, cells: [] } };
  }
  const notebook = restoreFromSource(submission, source);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-grade-"));
  try {
    const run = await runNotebook(path.join(scratch, path.basename(submissionPath)), {
      notebook,
      allowErrors: true,
      html: false,
      outDir: scratch,
      timeoutSec: options.timeoutSec ?? 60,
      kernel: { cwd: options.cwd ?? path.dirname(path.resolve(sourcePath)), env: options.env ?? process.env },
    });
    const statuses = new Map(run.cellTimesMs.map((c) => [c.cellIndex, c.status]));
    return { result: score(run.notebook, graded, statuses), executed: run.notebook };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export { AssignmentError };
