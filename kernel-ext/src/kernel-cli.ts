/** `deepviz-kernel`: kernel start-up for Jupyter, and the kernelspec installer. */
import { parseArgs, UsageError } from "./args";
import type { InstallStep } from "./install-steps";
import { installKernel, JupyterMissing, listKernels, uninstallKernel, type InstallLocation } from "./installer";

const USAGE = `usage:
  deepviz-kernel install [--user | --sys-prefix | --prefix P] [--python PATH]
  deepviz-kernel uninstall [--user | --sys-prefix | --prefix P] [--python PATH]
  deepviz-kernel list [--python PATH]
  deepviz-kernel kernel --config-path CONNECTION_FILE [--js]     (Jupyter runs this)`;

function location(options: Record<string, string | true>): InstallLocation {
  const chosen = ["user", "sys-prefix", "prefix"].filter((k) => options[k] !== undefined);
  if (chosen.length > 1) throw new UsageError(`choose one of --user, --sys-prefix, --prefix (got ${chosen.join(", ")})`);
  if (options.prefix) return { kind: "prefix", prefix: options.prefix as string };
  if (options["sys-prefix"]) return { kind: "sys-prefix" };
  if (options.user) return { kind: "user" };
  return { kind: "default" };
}

export interface CliOptions {
  /** Extra install/uninstall steps (the package's command passes the widget kit's). */
  installSteps?: InstallStep[];
}

export async function main(argv: string[], cli: CliOptions = {}): Promise<void> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case "kernel": {
        const { options } = parseArgs(rest, ["config-path"], ["js"]);
        if (typeof options["config-path"] !== "string") throw new UsageError("kernel needs --config-path");
        // Loaded here only: install/list must not pay for TypeScript and zeromq.
        (require("./compile-cache") as typeof import("./compile-cache")).useCompileCache();
        const { startKernel } = require("./kernel-main") as typeof import("./kernel-main");
        try {
          await startKernel({ configPath: options["config-path"], js: options.js === true });
        } catch (e) {
          // A kernel that cannot serve must not linger: say why and exit, so Jupyter reports a dead kernel.
          console.error(`deepviz-kernel: the kernel could not start: ${(e as Error).message}`);
          process.exit(1);
        }
        return;
      }
      case "install": {
        const { options } = parseArgs(rest, ["prefix", "python"], ["user", "sys-prefix"]);
        installKernel({
          location: location(options),
          python: options.python as string | undefined,
          log: console.log,
          steps: cli.installSteps,
        });
        return;
      }
      case "uninstall": {
        const { options } = parseArgs(rest, ["prefix", "python"], ["user", "sys-prefix"]);
        uninstallKernel({
          location: location(options),
          python: options.python as string | undefined,
          log: console.log,
          steps: cli.installSteps,
        });
        return;
      }
      case "list": {
        const { options } = parseArgs(rest, ["python"], []);
        for (const k of listKernels({ python: options.python as string | undefined })) {
          console.log(`${k.ours ? "*" : " "} ${k.name.padEnd(16)} ${k.resourceDir}`);
        }
        return;
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`deepviz-kernel: ${e.message}\n${USAGE}`);
      process.exit(2);
    }
    if (e instanceof JupyterMissing) {
      console.error(`deepviz-kernel: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}
