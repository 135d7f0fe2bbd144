/** `deepviz`: `deepviz run NB.ipynb [more] [--timeout S] [--allow-errors] [--out DIR]`, `deepviz assignment ...`. */
import * as path from "path";
import { parseArgs, UsageError } from "./args";
import { ASSIGNMENT_USAGE, assignmentMain } from "./assignment/cli";
import { runNotebook, type RunProgress } from "./runner";

const USAGE = `usage:
  deepviz run NOTEBOOK.ipynb [MORE.ipynb ...] [--timeout SECONDS] [--allow-errors] [--out DIR] [--no-html] [--untrusted]

Runs every code cell of each notebook in a fresh DeepViz kernel (started in the notebook's folder) and
writes the executed notebook and an HTML page of it: into DIR as NAME.ipynb + NAME.html, or beside the
notebook as NAME.executed.ipynb + NAME.html. Stops at the first failing cell unless --allow-errors.
--timeout is per cell (default 600). Exit status 1 when a notebook failed.
Markdown and outputs the run did not produce are always sanitised on the page; --untrusted sanitises
every output too and lets only the page's own scripts run (for notebooks from students or elsewhere).

${ASSIGNMENT_USAGE.replace(/^usage:\n/, "")}`;

function firstLine(source: string): string {
  const line = source.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.length > 60 ? line.slice(0, 57) + "..." : line;
}

function printProgress(e: RunProgress): void {
  const w = (s: string) => process.stderr.write(s);
  switch (e.kind) {
    case "start":
      w(`${e.notebook}: ${e.codeCells} code cells\n`);
      break;
    case "kernel-ready":
      w(`  kernel ready (${(e.ms / 1000).toFixed(1)} s)\n`);
      break;
    case "cell-start":
      w(`  [${e.codeIndex}/${e.codeCells}] ${firstLine(e.source)}`);
      break;
    case "cell-done":
      w(`  ${e.status === "ok" ? "ok" : e.status.toUpperCase()} ${(e.ms / 1000).toFixed(1)} s\n`);
      break;
    case "done":
      w(`  ${e.ok ? "done" : "FAILED"} in ${(e.ms / 1000).toFixed(1)} s\n`);
      break;
  }
}

export async function main(argv: string[]): Promise<void> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      console.log(USAGE);
      return;
    }
    if (command === "assignment") {
      await assignmentMain(rest);
      return;
    }
    if (command !== "run") throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    const { positionals, options } = parseArgs(rest, ["timeout", "out"], ["allow-errors", "no-html", "untrusted"]);
    if (positionals.length === 0) throw new UsageError("run needs at least one notebook");
    const timeoutSec = options.timeout === undefined ? undefined : Number(options.timeout);
    if (timeoutSec !== undefined && !(timeoutSec > 0))
      throw new UsageError(`--timeout must be a positive number of seconds, got ${options.timeout}`);
    let failed = 0;
    for (const nb of positionals) {
      const result = await runNotebook(nb, {
        timeoutSec,
        allowErrors: options["allow-errors"] === true,
        outDir: options.out as string | undefined,
        html: options["no-html"] !== true,
        untrusted: options.untrusted === true,
        onProgress: printProgress,
      });
      for (const f of result.failures) {
        process.stderr.write(`\n${nb}, cell ${f.cellIndex + 1} failed:\n`);
        process.stderr.write(f.source.replace(/^/gm, "  | ") + "\n");
        process.stderr.write(`${f.ename}: ${f.evalue}\n${f.traceback.join("\n")}\n\n`);
      }
      process.stderr.write(
        `  wrote ${path.relative(process.cwd(), result.notebookPath)}` +
          (result.htmlPath ? ` and ${path.relative(process.cwd(), result.htmlPath)}` : "") +
          "\n",
      );
      if (!result.ok) {
        failed++;
        if (!options["allow-errors"]) break;
      }
    }
    process.exitCode = failed > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`deepviz: ${e.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(`deepviz: ${(e as Error).message}`);
    process.exit(1);
  }
}
