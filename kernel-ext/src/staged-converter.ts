/**
 * The converter the executor sees. The type checker (tslab's converter: seconds to build) starts at
 * once on its own thread (checker-thread.ts). Until it is ready and has caught up, cells are converted
 * without types (quick-convert.ts) and run at once; each is then replayed through the checker, which
 * learns its declarations (so later cells are checked against them) and sends back its type errors,
 * shown at the top of the next cell's output. Completion, inspection and `%module` cells wait for the
 * checker. With `quick: false` (the notebook runner, for grading) every cell waits, as tslab's does.
 */
import * as path from "path";
import { setTimeout as sleep } from "timers/promises";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "worker_threads";
import type { CompletionInfo, ConvertResult, Converter, Diagnostic } from "tslab/dist/converter";
import type { CheckerThreadData, Decls, FromChecker, ToChecker } from "./checker-thread";
import { canConvertQuickly, quickConvert } from "./quick-convert";

/** What a quick cell returns as its declarations: a marker the next cell passes back (tslab keeps it for us). */
const QUICK_DECLS = /^\/\* deepviz quick cell (\d+) \*\/\n/;

interface QuickCell {
  /** Every name declared so far, through this cell. */
  names: Set<string>;
}

export class StagedConverter implements Converter {
  private worker?: Worker;
  private readonly port: MessagePort;
  private readonly threadPort: MessagePort;
  private startedAt = 0;
  private readonly replied = new Int32Array(new SharedArrayBuffer(4));
  private ready = false;
  private failed?: string;
  private readonly quickCells = new Map<number, QuickCell>();
  private lastQuick = 0;
  private replayedThrough = 0;
  private readonly notes: string[] = [];
  private waiting: (() => void)[] = [];
  private closed?: Promise<void>;

  constructor(
    private readonly isJs: boolean,
    private readonly quick: boolean,
    private readonly cwd: string,
    private readonly log: (line: string) => void,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.threadPort = port2;
    port1.on("message", (m: FromChecker) => this.onNote(m));
    port1.unref();
  }

  /** Starts the checker thread (the kernel does so once its sockets are bound; a first call would too). */
  start(): void {
    if (this.worker) return;
    this.startedAt = Date.now();
    const data: CheckerThreadData = {
      isJs: this.isJs,
      cwd: this.cwd,
      nice: this.quick ? 10 : 0,
      port: this.threadPort,
      replied: this.replied.buffer as SharedArrayBuffer,
    };
    const file = path.join(__dirname, `checker-thread${path.extname(__filename)}`);
    const code = `${file.endsWith(".ts") ? 'require("tsx/cjs");' : ""}require(${JSON.stringify(file)});`;
    this.worker = new Worker(code, { eval: true, workerData: data, transferList: [this.threadPort] });
    this.worker.unref();
    this.worker.on("error", (e) => this.fail(`the type checker's thread failed: ${e.stack ?? e}`));
    this.worker.on("exit", (code) => this.fail(`the type checker's thread exited (${code})`));
  }

  /** Whether cells are type-checked now (the checker is ready and has checked every earlier cell). */
  get checking(): boolean {
    return this.ready && this.replayedThrough === this.lastQuick;
  }

  /**
   * Resolves once converting `src` will not wait for the checker. A cell should await this first: a
   * SIGINT that arrives while the thread blocks in a waiting call is lost (the vm's breakOnSigint, which
   * runs the cell right after, swallows a signal still pending), so the cell could not be interrupted.
   */
  whenConvertible(src: string): Promise<void> {
    if (this.checking || this.failed || (this.quick && canConvertQuickly(src))) return Promise.resolve();
    this.start();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  convert(prevDecl: string, src: string): ConvertResult {
    // (A failed checker thread leaves cells untyped: better than no kernel.)
    if (!this.quick || this.checking || !canConvertQuickly(src)) {
      return this.call<ConvertResult>({ kind: "call", method: "convert", decls: this.decls(prevDecl), args: [src] });
    }
    const base = QUICK_DECLS.exec(prevDecl);
    if (prevDecl !== "" && !base) {
      return this.call<ConvertResult>({ kind: "call", method: "convert", decls: this.decls(prevDecl), args: [src] });
    }
    const earlier = base ? this.quickCells.get(Number(base[1]))!.names : new Set<string>();
    const result = quickConvert(earlier, src, this.isJs);
    if (result.diagnostics.length > 0) return result;
    const id = ++this.lastQuick;
    this.quickCells.set(id, { names: new Set([...earlier, ...result.names]) });
    const replay: ToChecker = { kind: "replay", id, base: this.decls(prevDecl), src, names: result.names };
    this.port.postMessage(replay);
    return { ...result, declOutput: `/* deepviz quick cell ${id} */\n` };
  }

  inspect(prevDecl: string, src: string, position: number) {
    return this.call<ReturnType<Converter["inspect"]>>({
      kind: "call",
      method: "inspect",
      decls: this.decls(prevDecl),
      args: [src, position],
    });
  }

  complete(prevDecl: string, src: string, position: number): CompletionInfo {
    return this.call<CompletionInfo>({ kind: "call", method: "complete", decls: this.decls(prevDecl), args: [src, position] });
  }

  addModule(name: string, content: string, meta?: unknown): Diagnostic[] {
    return this.call<Diagnostic[]>({ kind: "add-module", args: [name, content, meta] });
  }

  /** Type errors found in cells that ran unchecked, not yet shown (cleared by this call). */
  takeNotes(): string[] {
    this.drain();
    return this.notes.splice(0);
  }

  /**
   * Ends the checker's thread: it closes its file watchers and ends once its current work is done;
   * terminating it is the fallback after 10 s. (The aborts at exit once blamed on terminating it came
   * from zeromq used on a worker thread; see control-process.ts.)
   */
  close(): Promise<void> {
    return (this.closed ??= this.endThread());
  }

  private async endThread(): Promise<void> {
    this.failed ??= "closed";
    const worker = this.worker;
    if (!worker) return;
    const ended = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    this.port.postMessage({ kind: "close" } satisfies ToChecker);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), 10_000)));
    if ((await Promise.race([ended, late])) === "late") {
      this.log("the type checker's thread did not end within 10 s: terminating it");
      await Promise.race([
        worker.terminate().then(
          () => undefined,
          () => undefined,
        ),
        sleep(1000),
      ]);
    }
    clearTimeout(timer);
  }

  private decls(prevDecl: string): Decls {
    const quick = QUICK_DECLS.exec(prevDecl);
    return quick ? { quick: Number(quick[1]) } : { text: prevDecl };
  }

  /** A converter call answered by the checker thread, waited for (the executor's API is synchronous). */
  private call<T>(request: ToChecker): T {
    this.start();
    if (this.failed) throw new Error(this.failed);
    Atomics.store(this.replied, 0, 0);
    this.port.postMessage(request);
    Atomics.wait(this.replied, 0, 0);
    for (;;) {
      const m = receiveMessageOnPort(this.port)?.message as FromChecker | undefined;
      if (!m) throw new Error("the type checker's thread gave no answer");
      if (m.kind !== "reply") {
        this.onNote(m);
        continue;
      }
      if (m.error) throw new Error(m.error);
      return m.value as T;
    }
  }

  /** Messages that arrived while the main thread was busy (a long cell). */
  private drain(): void {
    for (let m; (m = receiveMessageOnPort(this.port)?.message as FromChecker | undefined);) this.onNote(m);
  }

  private onNote(m: FromChecker): void {
    if (m.kind === "ready") {
      this.ready = true;
      this.log(`type checker ready after ${Date.now() - this.startedAt} ms`);
      this.wakeIfChecking();
    } else if (m.kind === "replayed") {
      this.replayedThrough = Math.max(this.replayedThrough, m.id);
      if (m.errors.length > 0) {
        const firstLine = m.src.trim().split("\n")[0].slice(0, 80);
        this.notes.push(
          `Type errors in an earlier cell, which ran before the type checker was ready:\n  | ${firstLine}\n` +
            m.errors.map((e) => `  ${e}`).join("\n"),
        );
      }
      this.log(
        `type-checked quick cell ${m.id} at ${Date.now() - this.startedAt} ms${m.errors.length ? `: ${m.errors.length} type error(s)` : ""}`,
      );
    }
  }

  private wakeIfChecking(): void {
    if (!this.checking) return;
    for (const wake of this.waiting.splice(0)) wake();
  }

  private fail(reason: string): void {
    if (this.failed) return;
    this.failed = reason;
    for (const wake of this.waiting.splice(0)) wake();
    this.log(reason);
    if (reason !== "closed")
      this.notes.push(`The type checker stopped (${reason.split("\n")[0]}): cells now run without type checks.`);
  }
}
