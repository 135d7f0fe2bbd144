/**
 * The kernel's side of Jupyter comms: one registry of targets and open comms per kernel process.
 * It knows nothing of widgets; it only moves `data`, `metadata` and binary buffers.
 */
import type { Comm, CommManager, CommMessage, MimeBundle, SendOptions } from "./comm-api";
import type { JupyterMessage, MessageHeader } from "./wire";
import { newId } from "./wire";

/** What the comm manager needs from the kernel server. */
export interface KernelIo {
  /** Publishes on iopub, parented to the message in scope (see KernelServer.commParent). */
  publishComm(msgType: "comm_open" | "comm_msg" | "comm_close", content: object, options?: SendOptions): void;
  display(bundle: MimeBundle, metadata?: Record<string, unknown>, options?: DisplayOptions): void;
  outputParent(): MessageHeader | undefined;
  log(line: string): void;
  /** Writes to the stderr of the output area in scope (errors thrown by comm handlers). */
  reportError(where: string, error: unknown): void;
}

export interface DisplayOptions {
  /** Jupyter `transient.display_id`, so later displays with `update: true` replace this one. */
  displayId?: string;
  /** Send `update_display_data` for `displayId` instead of a new output. */
  update?: boolean;
}

/** The kernel's CommManager, with a few additions beyond the contract in comm-api.ts. */
export interface KernelCommManager extends CommManager {
  display(bundle: MimeBundle, metadata?: Record<string, unknown>, options?: DisplayOptions): void;
  /** Header of the execute_request whose output area `display()` and stdout write to now. */
  outputParent(): MessageHeader | undefined;
  /** Open comms, optionally for one target. */
  comms(targetName?: string): Comm[];
}

function toCommMessage(msg: JupyterMessage): CommMessage {
  return {
    data: msg.content?.data ?? {},
    // Plain Uint8Array views: a Buffer would serialize oddly if stored in widget state.
    buffers: msg.buffers.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
    metadata: msg.metadata,
    header: msg.header,
  };
}

class KernelComm implements Comm {
  closed = false;
  readonly msgHandlers: ((msg: CommMessage) => void | Promise<void>)[] = [];
  readonly closeHandlers: ((msg: CommMessage | null) => void)[] = [];

  constructor(
    private readonly manager: KernelCommManagerImpl,
    readonly commId: string,
    readonly targetName: string,
  ) {}

  send(data: unknown, options?: SendOptions): void {
    if (this.closed) {
      this.manager.io.log(`send on closed comm ${this.commId} (${this.targetName}) ignored`);
      return;
    }
    this.manager.io.publishComm("comm_msg", { comm_id: this.commId, data: data ?? {} }, options);
  }

  close(data?: unknown, options?: SendOptions): void {
    if (this.closed) return;
    this.manager.io.publishComm("comm_close", { comm_id: this.commId, data: data ?? {} }, options);
    this.manager.forget(this, null);
  }

  onMsg(handler: (msg: CommMessage) => void | Promise<void>): void {
    this.msgHandlers.push(handler);
  }

  onClose(handler: (msg: CommMessage | null) => void): void {
    this.closeHandlers.push(handler);
  }
}

export class KernelCommManagerImpl implements KernelCommManager {
  private readonly targets = new Map<string, (comm: Comm, open: CommMessage) => void | Promise<void>>();
  private readonly open_ = new Map<string, KernelComm>();

  constructor(readonly io: KernelIo) {}

  registerTarget(targetName: string, handler: (comm: Comm, open: CommMessage) => void | Promise<void>): void {
    this.targets.set(targetName, handler);
  }

  unregisterTarget(targetName: string): void {
    this.targets.delete(targetName);
  }

  open(targetName: string, data?: unknown, options?: SendOptions & { commId?: string }): Comm {
    const comm = new KernelComm(this, options?.commId ?? newId(), targetName);
    this.open_.set(comm.commId, comm);
    this.io.publishComm("comm_open", { comm_id: comm.commId, target_name: targetName, data: data ?? {} }, options);
    return comm;
  }

  display(bundle: MimeBundle, metadata?: Record<string, unknown>, options?: DisplayOptions): void {
    this.io.display(bundle, metadata, options);
  }

  outputParent(): MessageHeader | undefined {
    return this.io.outputParent();
  }

  comms(targetName?: string): Comm[] {
    return [...this.open_.values()].filter((c) => targetName === undefined || c.targetName === targetName);
  }

  /** comm_info_reply content.comms */
  commInfo(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const c of this.comms(targetName)) out[c.commId] = { target_name: c.targetName };
    return out;
  }

  forget(comm: KernelComm, msg: CommMessage | null): void {
    comm.closed = true;
    this.open_.delete(comm.commId);
    for (const h of comm.closeHandlers) {
      try {
        h(msg);
      } catch (e) {
        this.io.reportError(`comm ${comm.targetName} close handler`, e);
      }
    }
  }

  // ---- messages from the front end ----

  async handleOpen(msg: JupyterMessage): Promise<void> {
    const { comm_id: commId, target_name: targetName } = msg.content ?? {};
    if (typeof commId !== "string" || typeof targetName !== "string") {
      this.io.log(`comm_open without comm_id/target_name ignored`);
      return;
    }
    const handler = this.targets.get(targetName);
    if (!handler) {
      this.io.log(`comm_open for unknown target ${JSON.stringify(targetName)}: closing ${commId}`);
      this.io.publishComm("comm_close", { comm_id: commId, data: {} });
      return;
    }
    const comm = new KernelComm(this, commId, targetName);
    this.open_.set(commId, comm);
    try {
      await handler(comm, toCommMessage(msg));
    } catch (e) {
      this.io.reportError(`comm target ${targetName}`, e);
      comm.close();
    }
  }

  async handleMsg(msg: JupyterMessage): Promise<void> {
    const comm = this.open_.get(msg.content?.comm_id);
    if (!comm) {
      this.io.log(`comm_msg for unknown or closed comm ${JSON.stringify(msg.content?.comm_id)} ignored`);
      return;
    }
    const message = toCommMessage(msg);
    for (const h of comm.msgHandlers) {
      try {
        await h(message);
      } catch (e) {
        this.io.reportError(`comm ${comm.targetName} message handler`, e);
      }
    }
  }

  handleClose(msg: JupyterMessage): void {
    const comm = this.open_.get(msg.content?.comm_id);
    if (!comm) {
      this.io.log(`comm_close for unknown or closed comm ${JSON.stringify(msg.content?.comm_id)} ignored`);
      return;
    }
    this.forget(comm, toCommMessage(msg));
  }

  /** Kernel shutdown: every comm ends without a message. */
  closeAll(): void {
    for (const comm of [...this.open_.values()]) this.forget(comm, null);
  }
}
