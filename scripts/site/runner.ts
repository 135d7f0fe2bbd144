/**
 * The project's headless notebook runner (kernel-ext, `runNotebook`), found at run time from the build so
 * the lesson pipeline stays a thin client of it. The types mirror the part of its API the pipeline uses.
 */
import * as fs from "fs";
import * as path from "path";

export type RunProgress =
  | { kind: "start"; notebook: string; codeCells: number }
  | { kind: "kernel-ready"; ms: number }
  | { kind: "cell-start"; index: number; codeIndex: number; codeCells: number; source: string }
  | { kind: "cell-done"; index: number; codeIndex: number; codeCells: number; ms: number; status: "ok" | "error" | "timeout" }
  | { kind: "done"; ok: boolean; ms: number };

export interface RunOptions {
  timeoutSec?: number;
  allowErrors?: boolean;
  outDir?: string;
  html?: boolean;
  onProgress?: (event: RunProgress) => void;
}

export interface RunResult {
  ok: boolean;
  notebook: unknown;
  notebookPath: string;
  failures: { cellIndex: number; source: string; ename: string; evalue: string; traceback: string[] }[];
  totalMs: number;
}

export type RunNotebook = (notebookPath: string, options?: RunOptions) => Promise<RunResult>;

/** runNotebook from the built kernel-ext, or an error that says what is missing. */
export function findRunner(root: string): RunNotebook {
  const built = path.join(root, "dist", "kernel-ext", "src", "runner.js");
  if (!fs.existsSync(built)) {
    throw new Error(`the notebook runner is missing (${path.relative(root, built)}): run \`npm run build\` (kernel-ext/src/runner.ts must exist)`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(built) as { runNotebook?: RunNotebook };
  if (typeof mod.runNotebook !== "function") throw new Error(`${built} does not export runNotebook`);
  return mod.runNotebook;
}
