/** Shared by the kernel tests: start kernels from the TypeScript sources, read iopub. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { KernelClient, withTimeout, type LaunchOptions } from "../../kernel-ext/src/client";
import type { JupyterMessage } from "../../kernel-ext/src/wire";

export const REPO = path.resolve(__dirname, "..", "..");
export const FIXTURES = path.join(__dirname, "fixtures");
/** Debian's Python, the one with Jupyter. */
export const PYTHON = "/usr/bin/python3";

/** True when every kernel-ext source has a newer compiled file under dist/ (as right after `npm run build`). */
function buildIsFresh(): boolean {
  const src = path.join(REPO, "kernel-ext", "src");
  return fs
    .readdirSync(src)
    .filter((f) => f.endsWith(".ts"))
    .every((f) => {
      const built = path.join(REPO, "dist", "kernel-ext", "src", f.replace(/\.ts$/, ".js"));
      return fs.existsSync(built) && fs.statSync(built).mtimeMs >= fs.statSync(path.join(src, f)).mtimeMs;
    });
}

/** Kernels run the compiled code when it is fresh (faster start), else the sources: never a stale build. */
export const SOURCE_ENV = {
  ...process.env,
  DEEPVIZ_FROM_SOURCE: buildIsFresh() ? "0" : "1",
  PYDEVD_DISABLE_FILE_VALIDATION: "1",
};

/** Clients launched here and not yet closed: an open one keeps mocha running after the last test. */
const open = new Set<KernelClient>();

// (Not under mocha, e.g. orphan-parent.ts run as a child, there is no `after`.)
if (typeof after === "function") {
  after(async function () {
    const left = [...open];
    await Promise.all(left.map((c) => c.close()));
    assert.equal(left.length, 0, `${left.length} kernel client(s) were never closed (closed now)`);
  });
}

export async function launch(options: LaunchOptions = {}): Promise<KernelClient & { log: string[] }> {
  const log: string[] = [];
  const client = await KernelClient.launch({
    env: SOURCE_ENV,
    onKernelLog: (t) => {
      log.push(t);
      if (process.env.DEEPVIZ_KERNEL_LOG) process.stderr.write(t);
    },
    ...options,
  });
  open.add(client);
  const close = client.close.bind(client);
  client.close = () => close().finally(() => open.delete(client));
  return Object.assign(client, { log });
}

/** Resolves with the first iopub message that `match` accepts (listening starts now). */
export function nextIopub(client: KernelClient, match: (m: JupyterMessage) => boolean, ms = 30_000): Promise<JupyterMessage> {
  let off: () => void = () => undefined;
  const p = new Promise<JupyterMessage>((resolve) => {
    off = client.onIopub((m) => {
      if (match(m)) resolve(m);
    });
  });
  return withTimeout(p, ms, () => new Error("expected iopub message did not arrive")).finally(() => off());
}

/** Records every iopub message from now on. */
export function recordIopub(client: KernelClient): { messages: JupyterMessage[]; stop: () => void } {
  const messages: JupyterMessage[] = [];
  const stop = client.onIopub((m) => messages.push(m));
  return { messages, stop };
}

/** Messages parented to `msgId`, as [type, state-or-undefined]. */
export function trail(messages: JupyterMessage[], msgId: string): string[] {
  return messages
    .filter((m) => m.parent_header.msg_id === msgId)
    .map((m) => (m.header.msg_type === "status" ? `status:${m.content.execution_state}` : m.header.msg_type));
}

export function requireBuild(): void {
  if (!fs.existsSync(path.join(REPO, "dist", "entry", "src", "index.js"))) {
    throw new Error("dist/entry/src/index.js is missing: notebooks import the built package; run `npm run build` first");
  }
}

export function tmpDir(name: string): string {
  const dir = path.join(REPO, "test-output", "kernel", name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
