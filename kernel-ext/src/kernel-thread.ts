/**
 * The kernel's second thread: what must work while a cell blocks the main event loop (a busy loop).
 * It owns the control socket, so an `interrupt_request` raises SIGINT at once (the vm's breakOnSigint then
 * stops synchronous code, as a signal from Jupyter would); every control message is also handed to the
 * main thread, which answers it through this thread. And it watches the parent process: a kernel whose
 * parent died exits even mid-loop (asked nicely first, killed if the main thread cannot answer).
 */
import * as fs from "fs";
import { parentPort, workerData } from "worker_threads";
import * as zmq from "zeromq";
import { decode, ReplayGuard, WireError } from "./wire";

export interface KernelThreadData {
  controlAddress: string;
  key: string;
  maxMessageBytes: number;
  /** Pid of the process that started the kernel (JPY_PARENT_PID / DEEPVIZ_PARENT_PID), if known. */
  parentPid?: number;
  /** ms between parent checks, and how long the main thread gets to exit before a kill. */
  checkMs: number;
  graceMs: number;
}

/** Main → thread. */
export type ToThread = { kind: "send"; frames: Uint8Array[] } | { kind: "close" };
/** Thread → main. */
export type FromThread =
  | { kind: "ready" }
  | { kind: "bind-failed"; message: string }
  | { kind: "control"; frames: Uint8Array[] }
  | { kind: "log"; line: string }
  | { kind: "parent-gone"; parentPid: number };

const data = workerData as KernelThreadData;
const port = parentPort!;
const post = (m: FromThread) => port.postMessage(m);
const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

let watch: NodeJS.Timeout | undefined;

function watchParent(parent: number): void {
  const startPpid = process.ppid;
  const timer = (watch = setInterval(() => {
    // Orphans are re-parented at once (a dead parent may linger as a zombie, still answering kill 0).
    let gone = process.ppid !== startPpid;
    try {
      process.kill(parent, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ESRCH") gone = true;
    }
    if (!gone) return;
    clearInterval(timer);
    post({ kind: "parent-gone", parentPid: parent });
    // The main thread may be stuck in a cell: it has graceMs to exit on its own.
    setTimeout(() => {
      fs.writeSync(2, `[deepviz-kernel] parent process ${parent} is gone and the kernel is busy: killing it\n`);
      process.kill(process.pid, "SIGKILL");
    }, data.graceMs).unref();
  }, data.checkMs));
  timer.unref();
}

async function serveControl(): Promise<void> {
  const control = new zmq.Router({ maxMessageSize: data.maxMessageBytes });
  try {
    await control.bind(data.controlAddress);
  } catch (e) {
    control.close();
    post({ kind: "bind-failed", message: `${data.controlAddress}: ${(e as Error).message}` });
    return;
  }
  let sending: Promise<void> = Promise.resolve();
  port.on("message", (m: ToThread) => {
    if (m.kind === "close") {
      // After the replies already queued (shutdown_reply), end this thread before the process exits:
      // zeromq aborts the process if a thread still holds a socket then.
      void sending.finally(() => {
        control.close();
        clearInterval(watch);
        port.close();
      });
    } else if (m.kind === "send") {
      const frames = m.frames.map(asBuffer);
      sending = sending
        .then(() => (control.closed ? undefined : control.send(frames)))
        .catch((e) => post({ kind: "log", line: `control send failed: ${(e as Error).message}` }));
    }
  });
  post({ kind: "ready" });
  // Only correctly signed, never-seen interrupts raise the signal; the main thread checks everything again.
  const guard = new ReplayGuard();
  try {
    for await (const frames of control) {
      try {
        const msg = decode(data.key, frames, guard);
        if (msg.header.msg_type === "interrupt_request") process.kill(process.pid, "SIGINT");
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        // the main thread rejects it and says why
      }
      post({ kind: "control", frames });
    }
  } catch (e) {
    if (!control.closed) post({ kind: "log", line: `control socket loop ended: ${(e as Error).message}` });
  }
}

if (data.parentPid) watchParent(data.parentPid);
void serveControl();
