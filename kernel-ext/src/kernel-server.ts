/**
 * The kernel's sockets and message routing. tslab's handler and executor run the code; this class owns
 * the wire (signing, binary buffers), busy/idle status, comms, rich results and where output goes.
 *
 * Output rule (see kernel-ext/README.md): display() and stdout/stderr go to the output area of the
 * execute_request in scope — the cell whose code (or a callback it scheduled) is running; code started
 * by a comm message (a widget callback) writes to the most recently started cell.
 */
import { AsyncLocalStorage } from "async_hooks";
import * as path from "path";
import { format } from "util";
import { fork, type ChildProcess } from "child_process";
import * as zmq from "zeromq";
import * as tslabJupyter from "tslab/dist/jupyter";
import type { Executor } from "tslab/dist/executor";
import { CELL_SIGNAL_KEY, COMM_MANAGER_KEY, JUPYTER_DISPLAY, type MimeBundle, type SendOptions } from "./comm-api";
import { KernelCommManagerImpl, type DisplayOptions, type KernelIo } from "./comm-manager";
import { channelAddress, type ConnectionInfo } from "./connection";
import { hasRichDisplay, normalizeBundle } from "./mime-bundle";
import type { ControlProcessData, FromControl, ToControl } from "./control-process";
import {
  decode,
  encode,
  makeHeader,
  PROTOCOL_VERSION,
  ReplayGuard,
  WireError,
  type JupyterMessage,
  type MessageHeader,
} from "./wire";
import { languageInfo } from "./language-info";

/** The process's real stderr, kept before tslab redirects process.stderr into cells. */
const kernelStderr = process.stderr.write.bind(process.stderr);

/** One running execute_request and what its code reported through the executor's console. */
interface Execution {
  msg: JupyterMessage;
  /** console.error calls from the executor: thrown values and TypeScript diagnostics. */
  thrown: unknown[];
  diagnostics: string[];
  /** Rich results whose Jupyter.display() returned a promise. */
  pending: Promise<void>[];
  /** Aborted by an interrupt: long library work started by this cell observes it. */
  abort: AbortController;
}

/** Where replies go: a zeromq socket, or the control socket that lives in the control process. */
interface Sender {
  readonly closed: boolean;
  send(frames: Buffer[]): Promise<void>;
}

/** The largest message a client may send (bytes): larger ones end that connection in libzmq. */
export function maxMessageBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.DEEPVIZ_MAX_MESSAGE_MB);
  return (Number.isFinite(mb) && mb > 0 ? mb : 64) * 1024 * 1024;
}

/** Logs the first few of a kind of event, then every thousandth (a flood must not flood stderr). */
class Sparse {
  private count = 0;
  constructor(private readonly log: (line: string) => void) {}
  note(line: string): void {
    this.count++;
    if (this.count <= 20 || this.count % 1000 === 0) this.log(this.count <= 20 ? line : `${line} (${this.count} so far)`);
  }
}

/** The control socket, served from the control process (see control-process.ts). */
class ControlProcess implements Sender {
  closed = false;
  constructor(private readonly child: ChildProcess) {}
  send(frames: Buffer[]): Promise<void> {
    if (!this.closed && this.child.connected) this.child.send({ kind: "send", frames } satisfies ToControl);
    return Promise.resolve();
  }
  /** Resolves once the process has ended (or after a second): the kernel must not exit before its replies are sent. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const ended = new Promise<void>((resolve) => {
      // not unref'd: while the process ends, this timer is what keeps the kernel waiting for it
      const timer = setTimeout(resolve, 1000);
      this.child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (this.child.connected) this.child.send({ kind: "close" } satisfies ToControl);
    return ended;
  }
}

/** Starts control-process.ts (compiled, or the TypeScript source through tsx when running from source). */
function startControlProcess(data: ControlProcessData): ChildProcess {
  const file = path.join(__dirname, `control-process${path.extname(__filename)}`);
  const child = fork(file, [], {
    execArgv: file.endsWith(".ts") ? ["--require", require.resolve("tsx/cjs")] : [],
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.send({ kind: "start", data } satisfies ToControl);
  child.unref();
  return child;
}

interface Outbox {
  busy: boolean;
  queue: Buffer[][];
  drained: (() => void)[];
}

interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** A stack without the kernel's own frames (the vm, tslab, this package's kernel code). */
function userFrames(stack: string): string[] {
  const lines = stack.split("\n");
  const cut = lines.findIndex((l) => /^\s+at /.test(l) && /sigintHandlersWrap|node:vm/.test(l));
  return cut < 0 ? lines : lines.slice(0, cut);
}

export class KernelServer implements KernelIo {
  readonly session = makeHeader("x", "").msg_id;
  readonly comms = new KernelCommManagerImpl(this);
  readonly handler: tslabJupyter.JupyterHandlerImpl;
  private readonly scope = new AsyncLocalStorage<JupyterMessage>();
  private readonly writerOwners = new WeakMap<object, JupyterMessage>();
  private readonly failures = new Map<string, ErrorContent>();
  private lastExecute?: JupyterMessage;
  private running?: Execution;
  private commQueue: Promise<void> = Promise.resolve();
  private executeQueue: Promise<void> = Promise.resolve();
  /** Bumped when a cell fails with stop_on_error: requests queued before then are aborted. */
  private failureGeneration = 0;
  private readonly outboxes = new Map<Sender, Outbox>();
  private stopping = false;
  private readonly maxBytes = maxMessageBytes();
  private readonly shell = new zmq.Router({ maxMessageSize: this.maxBytes });
  private control?: ControlProcess;
  // The kernel never asks for input, so nothing large belongs on stdin: zeromq drops it unread.
  private readonly stdin = new zmq.Router({ maxMessageSize: 1024 * 1024 });
  private readonly iopub = new zmq.Publisher();
  private readonly hb = new zmq.Reply({ maxMessageSize: 1024 * 1024 });
  /** Signatures already acted on, across shell and control: a replayed message is refused. */
  private readonly replays = new ReplayGuard();
  private readonly rejected = new Sparse((line) => this.log(line));

  constructor(
    private readonly conn: ConnectionInfo,
    private readonly executor: Executor,
    private readonly isJs: boolean,
    private readonly onStopped: () => void = () => process.exit(0),
    /** Pid to exit with (the process that started the kernel), watched from the control process. */
    private readonly parentPid?: number,
  ) {
    this.handler = new tslabJupyter.JupyterHandlerImpl(this.wrapExecutor(executor), isJs);
  }

  /** The console given to tslab's executor: the last expression's value and execution errors. */
  static executorConsole(server: () => KernelServer | undefined) {
    return {
      log: (value?: unknown) => server()?.onLastExpression(value),
      error: (...args: unknown[]) => server()?.onExecutionError(args),
    };
  }

  /**
   * Binds every channel. When one cannot be bound (a port in use), every socket is closed again and the
   * error names the channel and address, so the caller can exit instead of running without serving.
   */
  async start(): Promise<void> {
    (globalThis as Record<symbol, unknown>)[COMM_MANAGER_KEY] = this.comms;
    (globalThis as Record<symbol, unknown>)[CELL_SIGNAL_KEY] = { current: () => this.running?.abort.signal };
    const bind = async (name: string, sock: zmq.Socket) => {
      const address = channelAddress(this.conn, name as "shell");
      await sock.bind(address).catch((e: Error) => {
        throw new Error(`cannot bind the ${name} channel to ${address}: ${e.message}`);
      });
    };
    try {
      await Promise.all([
        bind("shell", this.shell),
        bind("stdin", this.stdin),
        bind("iopub", this.iopub),
        bind("hb", this.hb),
        this.startControl(),
      ]);
    } catch (e) {
      await this.closeSockets();
      throw e;
    }
    this.serve(this.shell);
    this.drainStdin();
    void (async () => {
      for await (const frames of this.hb) await this.hb.send(frames);
    })().catch(() => undefined);
    this.log(`listening on ${channelAddress(this.conn, "shell")} (session ${this.session})`);
  }

  private startControl(): Promise<void> {
    const child = startControlProcess({
      controlAddress: channelAddress(this.conn, "control"),
      key: this.conn.key,
      maxMessageBytes: this.maxBytes,
      parentPid: this.parentPid,
      checkMs: 500,
      graceMs: 1500,
    });
    const control = (this.control = new ControlProcess(child));
    return new Promise((resolve, reject) => {
      child.on("error", (e) => {
        this.log(`control process failed: ${e.stack ?? e.message}`);
        reject(new Error(`cannot start the control channel: ${e.message}`));
      });
      child.once("exit", (code, signal) => {
        if (!control.closed) this.log(`control process exited (${signal ?? `code ${code}`})`);
        reject(new Error("the control process exited before it was ready"));
      });
      child.on("message", (m: FromControl) => {
        switch (m.kind) {
          case "ready":
            // From now on the sockets keep the kernel running; the channel must not (an exit ends both).
            child.channel?.unref();
            return resolve();
          case "bind-failed":
            return reject(new Error(`cannot bind the control channel to ${m.message}`));
          case "control":
            return void this.receive(
              control,
              m.frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)),
            );
          case "log":
            return this.log(m.line);
          case "parent-gone":
            this.log(`parent process ${m.parentPid} is gone: exiting`);
            return void this.stop();
        }
      });
    });
  }

  private serve(sock: zmq.Router): void {
    void (async () => {
      // Not awaited per message: comm messages must be handled while an async cell awaits.
      for await (const frames of sock) void this.receive(sock, frames);
    })().catch((e) => {
      if (!this.stopping) this.log(`socket loop ended: ${(e as Error).message}`);
    });
  }

  /** The kernel never asks for input (no input_request): whatever arrives on stdin is read and dropped, so it cannot pile up. */
  private drainStdin(): void {
    const dropped = new Sparse((line) => this.log(line));
    void (async () => {
      for await (const frames of this.stdin) {
        dropped.note(`stdin message dropped (${frames.length} frames): this kernel does not request input`);
      }
    })().catch((e) => {
      if (!this.stopping) this.log(`stdin loop ended: ${(e as Error).message}`);
    });
  }

  private async receive(sock: Sender, frames: Buffer[]): Promise<void> {
    let msg: JupyterMessage;
    try {
      msg = decode(this.conn.key, frames, this.conn.key ? this.replays : undefined);
    } catch (e) {
      this.rejected.note(`rejected message: ${e instanceof WireError ? e.message : String(e)}`);
      return;
    }
    await this.scope.run(msg, () => this.dispatch(sock, msg));
  }

  private async dispatch(sock: Sender, msg: JupyterMessage): Promise<void> {
    const type = msg.header.msg_type;
    let shutdown = false;
    this.publish("status", { execution_state: "busy" }, msg.header);
    try {
      switch (type) {
        case "kernel_info_request":
          this.reply(sock, msg, "kernel_info_reply", {
            ...this.handler.handleKernel(),
            language_info: languageInfo(this.isJs),
            status: "ok",
            protocol_version: PROTOCOL_VERSION,
            help_links: [],
          });
          break;
        case "execute_request":
          await this.execute(sock, msg);
          break;
        case "is_complete_request":
          this.reply(sock, msg, "is_complete_reply", this.handler.handleIsComplete(msg.content));
          break;
        case "inspect_request":
          this.reply(sock, msg, "inspect_reply", this.handler.handleInspect(msg.content));
          break;
        case "complete_request":
          this.reply(sock, msg, "complete_reply", this.handler.handleComplete(msg.content));
          break;
        case "history_request":
          this.reply(sock, msg, "history_reply", { status: "ok", history: [] });
          break;
        case "comm_info_request": {
          const target = typeof msg.content.target_name === "string" ? msg.content.target_name : undefined;
          this.reply(sock, msg, "comm_info_reply", { status: "ok", comms: this.comms.commInfo(target) });
          break;
        }
        case "comm_open":
          await this.inCommOrder(() => this.comms.handleOpen(msg));
          break;
        case "comm_msg":
          await this.inCommOrder(() => this.comms.handleMsg(msg));
          break;
        case "comm_close":
          await this.inCommOrder(async () => this.comms.handleClose(msg));
          break;
        case "interrupt_request":
          this.interrupt();
          this.reply(sock, msg, "interrupt_reply", { status: "ok" });
          break;
        case "shutdown_request":
          this.reply(sock, msg, "shutdown_reply", { status: "ok", restart: msg.content.restart === true });
          shutdown = true;
          break;
        default:
          this.log(`unknown message type ${JSON.stringify(type)} ignored`);
      }
    } catch (e) {
      this.log(`error handling ${type}: ${(e as Error)?.stack ?? e}`);
    } finally {
      this.publish("status", { execution_state: "idle" }, msg.header);
    }
    if (shutdown) await this.stop();
  }

  /** Comm messages are handled one after another, in arrival order, apart from executes. */
  private inCommOrder(task: () => Promise<void>): Promise<void> {
    const next = this.commQueue.then(task, task);
    this.commQueue = next.catch(() => undefined);
    return next;
  }

  // ---- execute ----

  /**
   * Executes run one at a time in arrival order. A failure aborts the requests already queued behind
   * it (stop_on_error), never one sent after the failure was reported. tslab's own queue instead
   * aborts whatever arrives in the next 200 ms, which breaks clients that go on after an error.
   */
  private execute(sock: Sender, msg: JupyterMessage): Promise<void> {
    const generation = this.failureGeneration;
    const task = async () => {
      if (generation !== this.failureGeneration) {
        this.reply(sock, msg, "execute_reply", { status: "abort", execution_count: this.executionCount() });
        return;
      }
      const failed = await this.executeNow(sock, msg);
      if (failed && msg.content.stop_on_error !== false) this.failureGeneration++;
    };
    const next = this.executeQueue.then(task, task);
    this.executeQueue = next.catch(() => undefined);
    return next;
  }

  private executionCount(): number {
    return (this.handler as unknown as { execCount: number }).execCount;
  }

  /** Runs one request through tslab's handler; true when it failed. */
  private async executeNow(sock: Sender, msg: JupyterMessage): Promise<boolean> {
    if (typeof msg.content.code !== "string") {
      this.reply(sock, msg, "execute_reply", {
        status: "error",
        ename: "BadRequest",
        evalue: "code must be a string",
        traceback: [],
      });
      return true;
    }
    const writeStream = (name: string, text: string) => this.publish("stream", { name, text }, msg.header);
    const writeDisplayData = (data: unknown, update: boolean) =>
      this.publish(update ? "update_display_data" : "display_data", data as object, msg.header);
    // tslab makes this writer current right before it runs the code: that is how we learn which
    // queued request is starting.
    this.writerOwners.set(writeDisplayData, msg);
    const result = await this.handler.handleExecute(msg.content, writeStream, writeDisplayData);
    // Clear tslab's poisoned queue now (it would abort the next request for 200 ms).
    (this.handler as unknown as { execQueue: { reset(): void } }).execQueue.reset();
    const failure = this.failures.get(msg.header.msg_id);
    this.failures.delete(msg.header.msg_id);
    this.reply(sock, msg, "execute_reply", {
      ...result,
      ...(result.status === "error" ? (failure ?? { ename: "Error", evalue: "execution failed", traceback: [] }) : {}),
      user_expressions: {},
      payload: [],
    });
    return result.status !== "ok";
  }

  private wrapExecutor(executor: Executor): Executor {
    return {
      ...executor,
      execute: async (src: string) => {
        const msg = this.writerOwners.get(tslabJupyter.lastWriteDisplayData as object);
        if (!msg) return executor.execute(src);
        const run: Execution = { msg, thrown: [], diagnostics: [], pending: [], abort: new AbortController() };
        this.running = run;
        this.lastExecute = msg;
        process.stdout.write = this.streamWriter("stdout");
        process.stderr.write = this.streamWriter("stderr");
        try {
          let ok = await executor.execute(src);
          for (const p of run.pending) {
            await p.catch((e) => {
              run.thrown.push(e);
              ok = false;
            });
          }
          if (!ok) {
            const error = this.errorContent(run);
            this.failures.set(msg.header.msg_id, error);
            this.publish("error", error, msg.header);
          } else if (run.diagnostics.length > 0) {
            this.publish("stream", { name: "stderr", text: run.diagnostics.join("\n") + "\n" }, msg.header);
          }
          return ok;
        } finally {
          this.running = undefined;
        }
      },
    };
  }

  private onLastExpression(value: unknown): void {
    const run = this.running;
    if (!run || !hasRichDisplay(value)) {
      console.log(value);
      return;
    }
    const count = this.executionCount();
    const publish = (bundle: MimeBundle) =>
      this.publish("execute_result", { execution_count: count, data: normalizeBundle(bundle), metadata: {} }, run.msg.header);
    const bundle = value[JUPYTER_DISPLAY]();
    if (bundle && typeof (bundle as Promise<MimeBundle>).then === "function") {
      run.pending.push((bundle as Promise<MimeBundle>).then(publish));
    } else {
      publish(bundle as MimeBundle);
    }
  }

  private onExecutionError(args: unknown[]): void {
    const run = this.running;
    if (!run) {
      this.log(format(...args));
      return;
    }
    if (typeof args[0] === "string" && args.length > 1) run.diagnostics.push(format(...args));
    else run.thrown.push(args[0]);
  }

  private errorContent(run: Execution): ErrorContent {
    if (run.thrown.length > 0) {
      const e = run.thrown[0];
      const traceback = [...run.diagnostics];
      if (e instanceof Error && /interrupted by `?SIGINT|^Interrupted asynchronously$/.test(e.message)) {
        // Never format this stack: V8 can abort while formatting frames of terminated code
        // through a custom Error.prepareStackTrace (as tsx installs).
        return { ename: "KeyboardInterrupt", evalue: e.message, traceback: [...traceback, e.message] };
      }
      if (e instanceof Error) {
        traceback.push(...userFrames(e.stack ?? `${e.name}: ${e.message}`));
        return { ename: e.name, evalue: e.message, traceback };
      }
      traceback.push(format(e));
      return { ename: "Error", evalue: format(e), traceback };
    }
    if (run.diagnostics.length > 0) {
      return { ename: "TypeScriptError", evalue: run.diagnostics.join("\n"), traceback: run.diagnostics };
    }
    return { ename: "Error", evalue: "execution failed", traceback: [] };
  }

  /**
   * Stops the running cell. Its abort signal stops library work at the next chunk. tslab's executor
   * only stops code that is awaiting at that moment; a cell still being compiled would miss it, so the
   * interrupt is repeated until that cell has ended.
   */
  interrupt(): void {
    this.running?.abort.abort();
    this.executor.interrupt();
    const run = this.running;
    if (!run) return;
    const timer = setInterval(() => {
      if (this.running === run) this.executor.interrupt();
      else clearInterval(timer);
    }, 100);
  }

  // ---- output scope (KernelIo) ----

  outputParent(): MessageHeader | undefined {
    const current = this.scope.getStore();
    if (current?.header.msg_type === "execute_request") return current.header;
    return this.lastExecute?.header ?? current?.header;
  }

  private commParent(): MessageHeader | undefined {
    return this.scope.getStore()?.header ?? this.lastExecute?.header;
  }

  private streamWriter(name: "stdout" | "stderr") {
    const decoder = new TextDecoder();
    return ((chunk: string | Uint8Array, encodingOrCb?: unknown, cb?: unknown) => {
      const text = typeof chunk === "string" ? chunk : decoder.decode(chunk);
      const parent = this.outputParent();
      if (parent) this.publish("stream", { name, text }, parent);
      else kernelStderr(text);
      const done = typeof encodingOrCb === "function" ? encodingOrCb : cb;
      if (typeof done === "function") process.nextTick(done as () => void);
      return true;
    }) as typeof process.stdout.write;
  }

  display(bundle: MimeBundle, metadata?: Record<string, unknown>, options?: DisplayOptions): void {
    const parent = this.outputParent();
    if (!parent) {
      this.log("display() outside any cell dropped");
      return;
    }
    const content: Record<string, unknown> = { data: normalizeBundle(bundle), metadata: metadata ?? {} };
    if (options?.displayId) content.transient = { display_id: options.displayId };
    this.publish(options?.update ? "update_display_data" : "display_data", content, parent);
  }

  publishComm(msgType: "comm_open" | "comm_msg" | "comm_close", content: object, options?: SendOptions): void {
    this.publish(msgType, content, this.commParent(), options?.metadata, options?.buffers);
  }

  reportError(where: string, error: unknown): void {
    const text = `${where} threw: ${error instanceof Error ? (error.stack ?? error.message) : format(error)}`;
    this.log(text);
    const parent = this.outputParent();
    if (parent) this.publish("stream", { name: "stderr", text: text + "\n" }, parent);
  }

  log(line: string): void {
    kernelStderr(`[deepviz-kernel] ${line}\n`);
  }

  // ---- sending ----

  private publish(
    msgType: string,
    content: object,
    parent: Partial<MessageHeader> | undefined,
    metadata: Record<string, unknown> = {},
    buffers: ArrayBufferView[] = [],
  ): void {
    const header = makeHeader(msgType, this.session, "kernel");
    const topic = Buffer.from(`kernel.${this.session}.${msgType}`);
    this.send(
      this.iopub,
      encode(this.conn.key, { identities: [topic], header, parent_header: parent ?? {}, metadata, content, buffers }),
    );
  }

  private reply(sock: Sender, req: JupyterMessage, msgType: string, content: object): void {
    const header = makeHeader(msgType, this.session, "kernel");
    this.send(
      sock,
      encode(this.conn.key, { identities: req.identities, header, parent_header: req.header, metadata: {}, content }),
    );
  }

  /**
   * zeromq allows one send in flight per socket: queue the rest, in order. An idle socket sends at
   * once, so the first output of a synchronous cell leaves before the cell blocks the event loop.
   */
  private send(sock: Sender, frames: Buffer[]): void {
    if (sock.closed) return;
    let box = this.outboxes.get(sock);
    if (!box) this.outboxes.set(sock, (box = { busy: false, queue: [], drained: [] }));
    if (box.busy) box.queue.push(frames);
    else this.sendNow(sock, box, frames);
  }

  private sendNow(sock: Sender, box: Outbox, frames: Buffer[]): void {
    box.busy = true;
    let sending: Promise<void>;
    try {
      sending = sock.send(frames);
    } catch (e) {
      sending = Promise.reject(e);
    }
    sending
      .catch((e) => this.log(`send failed: ${(e as Error).message}`))
      .finally(() => {
        const next = box.queue.shift();
        if (next && !sock.closed) this.sendNow(sock, box, next);
        else {
          box.busy = false;
          box.drained.splice(0).forEach((r) => r());
        }
      });
  }

  /** Resolves when every queued message has been handed to zeromq. */
  private drain(): Promise<void> {
    return Promise.all(
      [...this.outboxes.values()].map((box) => (box.busy ? new Promise<void>((r) => box.drained.push(r)) : undefined)),
    ).then(() => undefined);
  }

  private closeSockets(): Promise<void> {
    for (const sock of [this.shell, this.stdin, this.iopub, this.hb]) sock.close();
    return this.control?.close() ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.comms.closeAll();
    await this.drain();
    this.handler.close();
    await this.closeSockets();
    if ((globalThis as Record<symbol, unknown>)[COMM_MANAGER_KEY] === this.comms) {
      delete (globalThis as Record<symbol, unknown>)[COMM_MANAGER_KEY];
    }
    this.onStopped();
  }
}
