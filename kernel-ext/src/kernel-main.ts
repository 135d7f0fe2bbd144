/**
 * Kernel entry: tslab's converters, executor and handler behind our own server (kernel-server.ts).
 * tslab's own startKernel builds its server internally, so this mirrors its set-up.
 */
import * as fs from "fs";
import * as ts from "@tslab/typescript-for-tslab";
import { createConverter, type Converter } from "tslab/dist/converter";
import { createExecutor, type ConverterSet } from "tslab/dist/executor";
import type { ConnectionInfo } from "./connection";
import { KernelServer } from "./kernel-server";
import { installSelfReference } from "./self-reference";
import { expandShorthandProperties } from "./shorthand";
import { StagedConverter } from "./staged-converter";
import { onlyNodeTypesByDefault } from "./type-roots";

/**
 * Node cells go through the staged converter (its checker thread starts at once); `@browser` cells,
 * rare, get a converter of their own on first use, as in tslab.
 */
class Converters implements ConverterSet {
  private browser_?: Converter;
  constructor(
    private readonly isJs: boolean,
    readonly node: StagedConverter,
  ) {}
  get browser(): Converter {
    return (this.browser_ ??= createConverter({ isJS: this.isJs, isBrowser: true }));
  }
  close(): Promise<void> {
    this.browser_?.close();
    return this.node.close();
  }
}

export interface StartKernelOptions {
  /** Path of the connection file Jupyter wrote. */
  configPath: string;
  /** JavaScript kernel instead of TypeScript. */
  js?: boolean;
}

export async function startKernel({ configPath, js = false }: StartKernelOptions): Promise<KernelServer> {
  const conn = JSON.parse(fs.readFileSync(configPath, "utf8")) as ConnectionInfo;
  if (conn.signature_scheme && conn.signature_scheme !== "hmac-sha256") {
    throw new Error(`unsupported signature_scheme ${conn.signature_scheme}; only hmac-sha256 is implemented`);
  }
  installSelfReference(ts as never, process.cwd());
  onlyNodeTypesByDefault(ts as never);
  let server: KernelServer | undefined;
  const log = (line: string) => server?.log(line);
  // Quick (untyped) first cells unless turned off; the runner and grading always wait (kernel-ext/README.md, Start-up).
  const quick = process.env.DEEPVIZ_QUICK_CELLS !== "0" && process.env.DEEPVIZ_WAIT_FOR_CHECKER !== "1";
  const converters = new Converters(js, new StagedConverter(js, quick, process.cwd(), log));
  const tslabExecutor = createExecutor(
    process.cwd(),
    converters,
    KernelServer.executorConsole(() => server),
  );
  const executor = {
    ...tslabExecutor,
    execute: async (src: string) => {
      const code = expandShorthandProperties(src);
      await converters.node.whenConvertible(code);
      // Inside the cell's scope: stderr is this cell's output.
      for (const note of converters.node.takeNotes()) process.stderr.write(`${note}\n`);
      return tslabExecutor.execute(code);
    },
  };
  // Exit only once the checker's thread has ended (see StagedConverter.close).
  const exit = () => void converters.close().then(() => process.exit(0));
  server = new KernelServer(conn, executor, js, exit, parentPid());
  // Jupyter interrupts with SIGINT (interrupt_mode "signal"): synchronous code is stopped by the
  // vm's breakOnSigint, awaiting code by the executor.
  process.on("SIGINT", () => server?.interrupt());
  // A parent that died closes our stdout/stderr pipes: logging must not turn that into an error loop.
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);
  process.on("uncaughtException", (err) => server?.reportError("uncaught exception", err));
  process.on("unhandledRejection", (reason) => server?.reportError("unhandled promise rejection", reason));
  await server.start();
  // The checker's thread competes for the CPU: started once the sockets can answer kernel_info.
  converters.node.start();
  return server;
}

/**
 * A kernel must not outlive the process that started it (a runner killed by Ctrl-C would leave it
 * listening forever). Jupyter passes its pid as JPY_PARENT_PID; our client passes DEEPVIZ_PARENT_PID.
 * The control process watches it, so even a cell in a busy loop cannot keep an orphan alive.
 */
function parentPid(): number | undefined {
  const parent = Number(process.env.DEEPVIZ_PARENT_PID ?? process.env.JPY_PARENT_PID);
  return Number.isInteger(parent) && parent > 1 ? parent : undefined;
}
