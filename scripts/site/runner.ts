/**
 * The project's headless notebook runner (kernel-ext, `runNotebook`), found at run time from the build so
 * the lesson pipeline stays a thin client of it (the kernel it starts runs from the build too).
 */
import * as fs from "fs";
import * as path from "path";

export type { RunProgress, RunOptions, RunResult } from "../../kernel-ext/src/runner";
import type { runNotebook } from "../../kernel-ext/src/runner";

export type RunNotebook = typeof runNotebook;

/** runNotebook from the built kernel-ext, or an error that says what is missing. */
export function findRunner(root: string): RunNotebook {
  const built = path.join(root, "dist", "kernel-ext", "src", "runner.js");
  if (!fs.existsSync(built)) {
    throw new Error(`the notebook runner is missing (${path.relative(root, built)}): run \`npm run build\` (kernel-ext/src/runner.ts must exist)`);
  }
  const mod = require(built) as { runNotebook?: RunNotebook };
  if (typeof mod.runNotebook !== "function") throw new Error(`${built} does not export runNotebook`);
  return mod.runNotebook;
}
