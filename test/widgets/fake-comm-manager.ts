/**
 * An in-memory CommManager that behaves like the kernel's as far as widgets can tell: it records every
 * message the kernel side sends (as the protocol lays it out: data, buffers, metadata, and the id of
 * the message being handled as parent), and delivers front-end messages the way the kernel would.
 */
import type { Comm, CommManager, CommMessage, MimeBundle, SendOptions } from "../../kernel-ext/src/comm-api";
import { COMM_MANAGER_KEY } from "../../kernel-ext/src/comm-api";

export interface Sent {
  kind: "open" | "msg" | "close";
  commId: string;
  targetName: string;
  data: any;
  buffers: Uint8Array[];
  metadata: Record<string, unknown>;
  /** msg_id of the front-end message being handled when this was sent (null: none). */
  parent: string | null;
}

let counter = 0;

export class FakeComm implements Comm {
  closed = false;
  msgHandlers: Array<(msg: CommMessage) => void | Promise<void>> = [];
  closeHandlers: Array<(msg: CommMessage | null) => void> = [];
  constructor(
    readonly manager: FakeCommManager,
    readonly commId: string,
    readonly targetName: string,
  ) {}
  send(data: unknown, options: SendOptions = {}): void {
    this.manager.record("msg", this, data, options);
  }
  close(data?: unknown, options: SendOptions = {}): void {
    if (this.closed) return;
    this.closed = true;
    this.manager.record("close", this, data ?? {}, options);
  }
  onMsg(handler: (msg: CommMessage) => void | Promise<void>): void {
    this.msgHandlers.push(handler);
  }
  onClose(handler: (msg: CommMessage | null) => void): void {
    this.closeHandlers.push(handler);
  }
}

export class FakeCommManager implements CommManager {
  sent: Sent[] = [];
  displayed: MimeBundle[] = [];
  comms = new Map<string, FakeComm>();
  targets = new Map<string, (comm: Comm, open: CommMessage) => void | Promise<void>>();
  private parent: string | null = null;

  registerTarget(targetName: string, handler: (comm: Comm, open: CommMessage) => void | Promise<void>): void {
    this.targets.set(targetName, handler);
  }
  unregisterTarget(targetName: string): void {
    this.targets.delete(targetName);
  }
  open(targetName: string, data?: unknown, options: SendOptions & { commId?: string } = {}): Comm {
    const comm = new FakeComm(this, options.commId ?? `comm${++counter}`, targetName);
    this.comms.set(comm.commId, comm);
    this.record("open", comm, data ?? {}, options);
    return comm;
  }
  display(bundle: MimeBundle): void {
    this.displayed.push(bundle);
  }

  record(kind: Sent["kind"], comm: FakeComm, data: unknown, options: SendOptions): void {
    // Like the kernel: the JSON part is serialized (so undefined vanishes, references are strings).
    this.sent.push({
      kind,
      commId: comm.commId,
      targetName: comm.targetName,
      data: JSON.parse(JSON.stringify(data ?? {})),
      buffers: (options.buffers ?? []).map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice()),
      metadata: options.metadata ?? {},
      parent: this.parent,
    });
  }

  /** A comm_msg from the front end; returns its msg_id. Handlers run with it as parent. */
  receive(commId: string, data: unknown, buffers: Uint8Array[] = []): string {
    const comm = this.comms.get(commId);
    if (!comm) throw new Error(`no comm ${commId}`);
    const msgId = `fe-${++counter}`;
    const msg: CommMessage = {
      data: JSON.parse(JSON.stringify(data)),
      buffers,
      metadata: {},
      header: { msg_id: msgId, msg_type: "comm_msg" },
    };
    this.parent = msgId;
    try {
      for (const h of comm.msgHandlers) void h(msg);
    } finally {
      this.parent = null;
    }
    return msgId;
  }

  /** A comm_open from the front end for a registered target (the control comm). */
  frontendOpen(targetName: string, commId: string): FakeComm {
    const handler = this.targets.get(targetName);
    if (!handler) throw new Error(`no target ${targetName}`);
    const comm = new FakeComm(this, commId, targetName);
    this.comms.set(commId, comm);
    void handler(comm, { data: {}, buffers: [], metadata: {}, header: { msg_id: "open", msg_type: "comm_open" } });
    return comm;
  }

  /** Front end closes a comm. */
  frontendClose(commId: string): void {
    const comm = this.comms.get(commId)!;
    comm.closed = true;
    for (const h of comm.closeHandlers) h(null);
  }

  messagesFor(commId: string): Sent[] {
    return this.sent.filter((s) => s.commId === commId);
  }

  clear(): void {
    this.sent = [];
    this.displayed = [];
  }
}

/** Install a fresh fake as the kernel's CommManager; returns it and a function that removes it. */
export function installFake(): FakeCommManager {
  const fake = new FakeCommManager();
  (globalThis as Record<symbol, unknown>)[COMM_MANAGER_KEY] = fake;
  return fake;
}

export function uninstallFake(): void {
  delete (globalThis as Record<symbol, unknown>)[COMM_MANAGER_KEY];
}

/** Let queued microtasks (deferred comm opens) run. */
export const tick = () => new Promise<void>((r) => setImmediate(r));
