/**
 * A Jupyter client on zeromq: launches (or connects to) a kernel, sends requests, collects iopub output.
 * Used by the headless runner and by the kernel's protocol tests; works with any Jupyter kernel.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zmq from "zeromq";
import { channelAddress, newConnection, type ConnectionInfo } from "./connection";
import { decode, encode, makeHeader, newId, type JupyterMessage, type MessageHeader } from "./wire";

export interface LaunchOptions {
  /** Working directory of the kernel (a notebook's folder). Default: process.cwd(). */
  cwd?: string;
  /** Start the JavaScript kernel instead of TypeScript. */
  js?: boolean;
  /** argv of the kernel, `{connection_file}` replaced; default: this package's DeepViz kernel. */
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the kernel to answer kernel_info (ms). Default 60000. */
  startupTimeoutMs?: number;
  /** Receives the kernel's stderr (its log). Default: kept, last lines shown if the kernel dies. */
  onKernelLog?: (text: string) => void;
}

export interface SendOptions {
  buffers?: (ArrayBufferView | ArrayBuffer)[];
  metadata?: Record<string, unknown>;
}

export interface ExecuteOptions {
  /** Rejects with ExecuteTimeout after this many ms (the kernel keeps running; interrupt it). */
  timeoutMs?: number;
  /** Every iopub message parented to this execute_request, as it arrives. */
  onIopub?: (msg: JupyterMessage) => void;
  stopOnError?: boolean;
  /** Called with the request's header just before it is sent. */
  onRequest?: (header: MessageHeader) => void;
}

export interface ExecuteOutcome {
  reply: JupyterMessage;
  /** iopub messages parented to the request, in order, status messages excluded. */
  iopub: JupyterMessage[];
}

export class ExecuteTimeout extends Error {
  override name = "ExecuteTimeout";
}

export class KernelDied extends Error {
  override name = "KernelDied";
}

/** The bin script that starts this package's kernel (found through the package root: the same from dist/). */
export const KERNEL_BIN = path.join(
  path.dirname(require.resolve("deepviz/package.json")),
  "kernel-ext",
  "bin",
  "deepviz-kernel.js",
);

export function defaultKernelArgv(js = false): string[] {
  return [process.execPath, KERNEL_BIN, "kernel", "--config-path", "{connection_file}", ...(js ? ["--js"] : [])];
}

type Pending = { resolve: (m: JupyterMessage) => void; reject: (e: Error) => void };

export class KernelClient {
  readonly session = newId();
  process?: ChildProcess;
  private shell!: zmq.Dealer;
  private control!: zmq.Dealer;
  private stdin!: zmq.Dealer;
  private iopub!: zmq.Subscriber;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(msg: JupyterMessage) => void>();
  private readonly sendQueues = new Map<zmq.Socket, Promise<void>>();
  private logTail = "";
  private exited?: Promise<number | null>;
  private closed = false;
  private connectionFile?: string;

  private constructor(
    readonly conn: ConnectionInfo,
    private readonly launch?: LaunchOptions,
  ) {}

  /** Starts a kernel on fresh ports and waits until it answers on shell and iopub. */
  static async launch(options: LaunchOptions = {}): Promise<KernelClient> {
    const conn = await newConnection();
    const client = new KernelClient(conn, options);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-kernel-"));
    client.connectionFile = path.join(dir, "connection.json");
    fs.writeFileSync(client.connectionFile, JSON.stringify(conn), { mode: 0o600 });
    client.spawnKernel();
    try {
      await client.connectSockets();
      await client.waitReady(options.startupTimeoutMs ?? 60_000);
    } catch (e) {
      await client.close();
      throw e;
    }
    return client;
  }

  /** Connects to a kernel that is already running. */
  static async connect(conn: ConnectionInfo, timeoutMs = 30_000): Promise<KernelClient> {
    const client = new KernelClient(conn);
    await client.connectSockets();
    await client.waitReady(timeoutMs);
    return client;
  }

  private spawnKernel(): void {
    const argv = (this.launch?.argv ?? defaultKernelArgv(this.launch?.js)).map((a) =>
      a === "{connection_file}" ? this.connectionFile! : a,
    );
    const child = spawn(argv[0], argv.slice(1), {
      cwd: this.launch?.cwd ?? process.cwd(),
      env: { ...(this.launch?.env ?? process.env), DEEPVIZ_PARENT_PID: String(process.pid) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.process = child;
    const onText = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      this.logTail = (this.logTail + text).slice(-4000);
      this.launch?.onKernelLog?.(text);
    };
    child.stdout!.on("data", onText);
    child.stderr!.on("data", onText);
    this.exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        resolve(code);
        const why = new KernelDied(
          `kernel exited (${signal ?? `code ${code}`})${this.logTail ? `; its log ends:\n${this.logTail}` : ""}`,
        );
        for (const p of this.pending.values()) p.reject(why);
        this.pending.clear();
      });
      child.on("error", (e) => {
        resolve(null);
        for (const p of this.pending.values()) p.reject(new KernelDied(`cannot start kernel ${argv[0]}: ${e.message}`));
        this.pending.clear();
      });
    });
  }

  /** The kernel's recent log (stderr), for error messages. */
  get kernelLog(): string {
    return this.logTail;
  }

  private async connectSockets(): Promise<void> {
    this.shell = new zmq.Dealer({ linger: 0 });
    this.control = new zmq.Dealer({ linger: 0 });
    this.stdin = new zmq.Dealer({ linger: 0 });
    this.iopub = new zmq.Subscriber({ linger: 0 });
    this.iopub.subscribe();
    this.shell.connect(channelAddress(this.conn, "shell"));
    this.control.connect(channelAddress(this.conn, "control"));
    this.stdin.connect(channelAddress(this.conn, "stdin"));
    this.iopub.connect(channelAddress(this.conn, "iopub"));
    this.receiveLoop(this.shell, (m) => this.settle(m));
    this.receiveLoop(this.control, (m) => this.settle(m));
    this.receiveLoop(this.iopub, (m) => {
      for (const l of [...this.listeners]) l(m);
    });
  }

  private receiveLoop(sock: zmq.Dealer | zmq.Subscriber, handle: (m: JupyterMessage) => void): void {
    void (async () => {
      for await (const frames of sock) {
        let msg: JupyterMessage;
        try {
          msg = decode(this.conn.key, frames);
        } catch {
          continue; // not from our kernel, or corrupted: never acted on
        }
        handle(msg);
      }
    })().catch(() => undefined);
  }

  private settle(reply: JupyterMessage): void {
    const id = reply.parent_header.msg_id;
    const p = id ? this.pending.get(id) : undefined;
    if (!p) return;
    this.pending.delete(id!);
    p.resolve(reply);
  }

  /**
   * A subscriber misses what is published before its subscription reaches the kernel: ask kernel_info
   * until one round trip shows up on both shell and iopub.
   */
  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      let sawStatus = false;
      const off = this.onIopub((m) => {
        if (m.header.msg_type === "status" && m.parent_header.msg_id === header.msg_id) sawStatus = true;
      });
      const header = makeHeader("kernel_info_request", this.session);
      try {
        await withTimeout(this.requestWithHeader("shell", header, {}), Math.min(2000, Math.max(1, deadline - Date.now())));
        await sleep(50);
        if (sawStatus) return;
      } catch (e) {
        if (e instanceof KernelDied) throw e;
      } finally {
        off();
      }
    }
    throw new KernelDied(`kernel did not answer within ${timeoutMs} ms${this.logTail ? `; its log ends:\n${this.logTail}` : ""}`);
  }

  onIopub(listener: (msg: JupyterMessage) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private socketFor(channel: "shell" | "control" | "stdin"): zmq.Dealer {
    return channel === "shell" ? this.shell : channel === "control" ? this.control : this.stdin;
  }

  /** Sends a message that gets no reply (comm_*); returns its header. */
  send(channel: "shell" | "control", msgType: string, content: object, options: SendOptions = {}): MessageHeader {
    const header = makeHeader(msgType, this.session);
    this.sendMessage(channel, header, content, options);
    return header;
  }

  /** Signs and queues one message of ours (no parent) on its channel. */
  private sendMessage(channel: "shell" | "control", header: MessageHeader, content: object, options: SendOptions): void {
    const message = {
      identities: [],
      header,
      parent_header: {},
      metadata: options.metadata ?? {},
      content,
      buffers: options.buffers,
    };
    this.sendFrames(this.socketFor(channel), encode(this.conn.key, message));
  }

  /** Sends frames exactly as given (for robustness tests). */
  sendRaw(channel: "shell" | "control", frames: Buffer[]): void {
    this.sendFrames(this.socketFor(channel), frames);
  }

  private sendFrames(sock: zmq.Dealer, frames: Buffer[]): void {
    const previous = this.sendQueues.get(sock) ?? Promise.resolve();
    const next = previous.then(() => sock.send(frames)).catch(() => undefined);
    this.sendQueues.set(sock, next);
  }

  /** Sends a request and resolves with its reply. */
  request(channel: "shell" | "control", msgType: string, content: object, options: SendOptions = {}): Promise<JupyterMessage> {
    return this.requestWithHeader(channel, makeHeader(msgType, this.session), content, options);
  }

  private requestWithHeader(
    channel: "shell" | "control",
    header: MessageHeader,
    content: object,
    options: SendOptions = {},
  ): Promise<JupyterMessage> {
    if (this.closed) return Promise.reject(new Error("client is closed"));
    const child = this.process;
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      // No reply can come: fail now instead of at a timeout.
      return Promise.reject(
        new KernelDied(
          `kernel exited (${child.signalCode ?? `code ${child.exitCode}`})${this.logTail ? `; its log ends:\n${this.logTail}` : ""}`,
        ),
      );
    }
    const reply = new Promise<JupyterMessage>((resolve, reject) => this.pending.set(header.msg_id, { resolve, reject }));
    this.sendMessage(channel, header, content, options);
    return reply;
  }

  kernelInfo(): Promise<JupyterMessage> {
    return this.request("shell", "kernel_info_request", {});
  }

  /** Runs code; resolves once both the execute_reply and the idle status for it have arrived. */
  async execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteOutcome> {
    const header = makeHeader("execute_request", this.session);
    options.onRequest?.(header);
    const iopub: JupyterMessage[] = [];
    let idle!: () => void;
    const idleSeen = new Promise<void>((r) => (idle = r));
    const off = this.onIopub((m) => {
      if (m.parent_header.msg_id !== header.msg_id) return;
      if (m.header.msg_type === "status") {
        if (m.content.execution_state === "idle") idle();
        return;
      }
      iopub.push(m);
      options.onIopub?.(m);
    });
    try {
      const content = {
        code,
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: options.stopOnError ?? true,
      };
      const done = (async () => {
        const reply = await this.requestWithHeader("shell", header, content);
        await idleSeen;
        return reply;
      })();
      const limit = options.timeoutMs;
      const reply = limit
        ? await withTimeout(done, limit, () => new ExecuteTimeout(`cell did not finish within ${limit / 1000} s`))
        : await done;
      return { reply, iopub };
    } finally {
      off();
    }
  }

  /** Interrupts running code: SIGINT to a kernel we launched (Jupyter's "signal" mode), else interrupt_request. */
  async interrupt(): Promise<void> {
    if (this.process && this.process.exitCode === null) {
      this.process.kill("SIGINT");
      return;
    }
    await this.request("control", "interrupt_request", {});
  }

  /** Asks the kernel to shut down; with `restart`, starts a fresh kernel on the same connection. */
  async shutdown(restart = false, timeoutMs = 10_000): Promise<JupyterMessage> {
    const reply = await withTimeout(this.request("control", "shutdown_request", { restart }), timeoutMs);
    if (this.process && this.exited) {
      const code = await withTimeout(this.exited, KERNEL_EXIT_MS).catch(() => {
        this.process!.kill("SIGKILL");
        return null;
      });
      void code;
    }
    if (restart) {
      if (!this.launch) throw new Error("restart needs a kernel started by KernelClient.launch()");
      this.spawnKernel();
      await this.waitReady(this.launch.startupTimeoutMs ?? 60_000);
    }
    return reply;
  }

  /** Closes the sockets and ends a kernel we launched (politely, then by force). */
  async close(): Promise<void> {
    if (this.closed) return;
    const child = this.process;
    if (child && child.exitCode === null && child.signalCode === null) {
      try {
        await withTimeout(this.request("control", "shutdown_request", { restart: false }), 2000);
        await withTimeout(this.exited!, KERNEL_EXIT_MS);
      } catch {
        child.kill("SIGKILL");
        await withTimeout(this.exited!, 3000).catch(() => undefined);
      }
    }
    this.closed = true;
    for (const sock of [this.shell, this.control, this.stdin, this.iopub]) sock?.close();
    if (this.connectionFile) fs.rmSync(path.dirname(this.connectionFile), { recursive: true, force: true });
  }
}

/** How long a kernel gets to exit after its shutdown_reply: its type checker may take 10 s to end (staged-converter.ts). */
const KERNEL_EXIT_MS = 20_000;

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function withTimeout<T>(
  p: Promise<T>,
  ms: number,
  error: () => Error = () => new Error(`timed out after ${ms} ms`),
): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(error()), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
