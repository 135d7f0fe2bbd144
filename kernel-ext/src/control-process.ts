/**
 * The kernel's control process: what must work while a cell blocks the kernel's event loop (a busy loop).
 * It owns the control socket, so an `interrupt_request` raises SIGINT in the kernel at once (the vm's
 * breakOnSigint then stops synchronous code, as a signal from Jupyter would); every control message is
 * also handed to the kernel, which answers it through this process. And it watches the kernel's parent:
 * a kernel whose parent died exits even mid-loop (asked nicely first, killed if it cannot answer).
 *
 * A process, not a worker thread: zeromq used from a second thread of one process corrupted the heap
 * as that thread ended (SIGABRT at the kernel's exit, 1 to 2 in 16 under load; none in 32 without it).
 */
import * as fs from "fs";
import * as zmq from "zeromq";
import { decode, ReplayGuard, WireError } from "./wire";

export interface ControlProcessData {
  controlAddress: string;
  key: string;
  maxMessageBytes: number;
  /** Pid of the process that started the kernel (JPY_PARENT_PID / DEEPVIZ_PARENT_PID), if known. */
  parentPid?: number;
  /** ms between parent checks, and how long the kernel gets to exit before a kill. */
  checkMs: number;
  graceMs: number;
}

/** Kernel → control process. */
export type ToControl = { kind: "start"; data: ControlProcessData } | { kind: "send"; frames: Uint8Array[] } | { kind: "close" };
/** Control process → kernel. */
export type FromControl =
  | { kind: "ready" }
  | { kind: "bind-failed"; message: string }
  | { kind: "control"; frames: Uint8Array[] }
  | { kind: "log"; line: string }
  | { kind: "parent-gone"; parentPid: number };

const kernelPid = process.ppid;
const post = (m: FromControl) => {
  if (process.connected) process.send!(m);
};
const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

function watchParent(data: ControlProcessData, parent: number): void {
  const startPpid = readPpid(kernelPid);
  const timer = setInterval(() => {
    // Orphans are re-parented at once (a dead parent may linger as a zombie, still answering kill 0).
    let gone = false;
    try {
      process.kill(parent, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ESRCH") gone = true;
    }
    if (!gone && readPpid(kernelPid) === startPpid) return;
    clearInterval(timer);
    post({ kind: "parent-gone", parentPid: parent });
    // The kernel may be stuck in a cell: it has graceMs to exit on its own.
    setTimeout(() => {
      killKernel("SIGKILL");
      try {
        // (the dead parent may have held the other end of stderr)
        fs.writeSync(2, `[deepviz-kernel] parent process ${parent} is gone and the kernel was busy: killed it\n`);
      } catch {
        // nobody left to read it
      }
      process.exit(0);
    }, data.graceMs).unref();
  }, data.checkMs);
  timer.unref();
}

/** The kernel's parent pid, from /proc (Linux); undefined where there is none, so only kill 0 counts. */
function readPpid(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function killKernel(signal: NodeJS.Signals): void {
  try {
    process.kill(kernelPid, signal);
  } catch {
    // already gone
  }
}

async function serveControl(data: ControlProcessData): Promise<void> {
  const control = new zmq.Router({ maxMessageSize: data.maxMessageBytes });
  try {
    await control.bind(data.controlAddress);
  } catch (e) {
    control.close();
    post({ kind: "bind-failed", message: `${data.controlAddress}: ${(e as Error).message}` });
    return;
  }
  let sending: Promise<void> = Promise.resolve();
  process.on("message", (m: ToControl) => {
    if (m.kind === "close") {
      // After the replies already queued (shutdown_reply).
      void sending.finally(() => {
        control.close();
        process.exit(0);
      });
    } else if (m.kind === "send") {
      const frames = m.frames.map(asBuffer);
      sending = sending
        .then(() => (control.closed ? undefined : control.send(frames)))
        .catch((e) => post({ kind: "log", line: `control send failed: ${(e as Error).message}` }));
    }
  });
  post({ kind: "ready" });
  // Only correctly signed, never-seen interrupts raise the signal; the kernel checks everything again.
  const guard = new ReplayGuard();
  try {
    for await (const frames of control) {
      try {
        const msg = decode(data.key, frames, guard);
        if (msg.header.msg_type === "interrupt_request") killKernel("SIGINT");
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        // the kernel rejects it and says why
      }
      post({ kind: "control", frames });
    }
  } catch (e) {
    if (!control.closed) post({ kind: "log", line: `control socket loop ended: ${(e as Error).message}` });
  }
}

// Jupyter interrupts the kernel's whole process group: the SIGINT is the kernel's, not ours.
process.on("SIGINT", () => undefined);
// The kernel gone (its IPC channel closed): nothing left to serve.
process.on("disconnect", () => process.exit(0));
process.once("message", (m: ToControl) => {
  if (m.kind !== "start") return;
  if (m.data.parentPid) watchParent(m.data, m.data.parentPid);
  void serveControl(m.data);
});
