/**
 * nbgrader's notebook format (schema 3), the convention instructors already use: which cell is an answer,
 * a test or read-only, and the delimiters that mark solutions and hidden tests.
 */
import { cellSource, type Cell, type Notebook } from "../notebook";

export interface NbgraderMeta {
  grade_id: string;
  /** An autograded test (with `solution: false`) or a manually graded answer (with `solution: true`). */
  grade: boolean;
  solution: boolean;
  locked: boolean;
  points?: number;
  task?: boolean;
  schema_version?: number;
}

export type CellRole = "answer" | "test" | "manual" | "locked" | "task" | "plain";

/** A notebook that breaks the format's rules; grading or releasing it would give wrong results. */
export class AssignmentError extends Error {
  override name = "AssignmentError";
}

export function nbgraderMeta(cell: Cell): NbgraderMeta | undefined {
  const m = (cell.metadata as { nbgrader?: Partial<NbgraderMeta> }).nbgrader;
  if (!m || typeof m.grade_id !== "string" || m.grade_id === "") return undefined;
  return { grade: !!m.grade, solution: !!m.solution, locked: !!m.locked, ...m } as NbgraderMeta;
}

export function cellRole(cell: Cell): CellRole {
  const m = nbgraderMeta(cell);
  if (!m) return "plain";
  if (m.task) return "task";
  if (m.solution && m.grade) return "manual";
  if (m.solution) return "answer";
  if (m.grade) return "test";
  return m.locked ? "locked" : "plain";
}

/** Lines holding a delimiter, e.g. `// BEGIN SOLUTION`, `# END HIDDEN TESTS`, `<!-- BEGIN SOLUTION -->`. */
const DELIMITER = /^(\s*).*\b(BEGIN|END) (SOLUTION|HIDDEN TESTS)\b.*$/;

export interface Region {
  /** First and last line (the delimiters themselves), 0-based. */
  begin: number;
  end: number;
  /** The BEGIN line's indentation. */
  indent: string;
}

/** The regions of one kind in a cell's lines, checked for balance. */
export function regions(lines: string[], kind: "SOLUTION" | "HIDDEN TESTS", where: string): Region[] {
  const out: Region[] = [];
  let open: { line: number; indent: string } | undefined;
  lines.forEach((line, i) => {
    const m = DELIMITER.exec(line);
    if (!m || m[3] !== kind) return;
    if (m[2] === "BEGIN") {
      if (open)
        throw new AssignmentError(
          `${where}: "BEGIN ${kind}" on line ${i + 1} inside the region opened on line ${open.line + 1}; close it first`,
        );
      open = { line: i, indent: m[1] };
    } else {
      if (!open) throw new AssignmentError(`${where}: "END ${kind}" on line ${i + 1} has no BEGIN before it`);
      out.push({ begin: open.line, end: i, indent: open.indent });
      open = undefined;
    }
  });
  if (open) throw new AssignmentError(`${where}: "BEGIN ${kind}" on line ${open.line + 1} is never closed with "END ${kind}"`);
  return out;
}

export function splitLines(text: string): string[] {
  return text.split("\n");
}

/** Replaces each region (delimiters included) with `replacement(region)`'s lines. */
export function replaceRegions(lines: string[], found: Region[], replacement: (r: Region) => string[]): string[] {
  const out: string[] = [];
  let at = 0;
  for (const r of found) {
    out.push(...lines.slice(at, r.begin), ...replacement(r));
    at = r.end + 1;
  }
  out.push(...lines.slice(at));
  return out;
}

export interface GradedCell {
  id: string;
  role: CellRole;
  points: number;
  index: number;
}

/**
 * Checks the rules a grader relies on and lists the graded cells: grade ids unique, points on every test,
 * solutions only in answer cells, hidden tests only in test cells, delimiters balanced.
 */
export function checkAssignment(nb: Notebook, what: string): GradedCell[] {
  const seen = new Map<string, number>();
  const graded: GradedCell[] = [];
  nb.cells.forEach((cell, index) => {
    const where = `${what}, cell ${index + 1}`;
    const lines = splitLines(cellSource(cell));
    const role = cellRole(cell);
    const m = nbgraderMeta(cell);
    if (m) {
      const before = seen.get(m.grade_id);
      if (before !== undefined)
        throw new AssignmentError(
          `${where}: grade_id "${m.grade_id}" is also used by cell ${before + 1}; grade ids must be unique`,
        );
      seen.set(m.grade_id, index);
    }
    const solutions = regions(lines, "SOLUTION", where);
    const hidden = regions(lines, "HIDDEN TESTS", where);
    if (solutions.length && role !== "answer" && role !== "manual") {
      throw new AssignmentError(
        `${where}: a BEGIN SOLUTION region in a cell that is not an answer cell would be released as is; mark the cell as a solution (nbgrader: solution: true) or remove the delimiters`,
      );
    }
    if (hidden.length && role !== "test")
      throw new AssignmentError(`${where}: BEGIN HIDDEN TESTS belongs in a test cell (nbgrader: grade: true, solution: false)`);
    if (role === "test" || role === "manual") {
      const points = m!.points;
      if (typeof points !== "number" || !(points >= 0))
        throw new AssignmentError(`${where}: graded cell "${m!.grade_id}" needs "points" (a number ≥ 0)`);
      graded.push({ id: m!.grade_id, role, points, index });
    }
    if (role === "test" && cell.cell_type !== "code")
      throw new AssignmentError(`${where}: test cell "${m!.grade_id}" must be a code cell`);
  });
  return graded;
}
