/** The kernel driven by the project's own zeromq client: comms, status order, rich output, interrupt, restart. */
import { strict as assert } from "assert";
import type { KernelClient } from "../../kernel-ext/src/client";
import { encode, makeHeader } from "../../kernel-ext/src/wire";
import { launch, nextIopub, recordIopub, trail } from "./helpers";
import * as tslabTs from "@tslab/typescript-for-tslab";

const MANAGER = `(globalThis as any)[Symbol.for("deepviz.kernel.commManager")]`;

// An "echo" target: answers the open with the open data and each buffer's bytes plus one (mod 256),
// answers every message with its data and its buffers reversed; {display: true} also displays.
const ECHO_TARGET = `
const manager = ${MANAGER};
manager.registerTarget("echo", (comm: any, open: any) => {
  comm.send({ opened: open.data, sizes: open.buffers.map((b: Uint8Array) => b.length) },
            { buffers: open.buffers.map((b: Uint8Array) => b.map((x) => x + 1)) });
  comm.onMsg((msg: any) => {
    if (msg.data.display) manager.display({ "text/plain": "shown by a comm handler" });
    comm.send({ echo: msg.data }, { buffers: msg.buffers.map((b: Uint8Array) => Uint8Array.from(b).reverse()) });
  });
});
"registered";`;

describe("kernel protocol (own client)", function () {
  let kernel: KernelClient & { log: string[] };

  before(async function () {
    kernel = await launch();
  });

  afterEach(function () {
    // the kernel's log explains most failures
    if (this.currentTest?.state === "failed") console.error(kernel.log.join(""));
  });

  after(async function () {
    await kernel?.close();
  });

  it("answers kernel_info between busy and idle", async function () {
    const rec = recordIopub(kernel);
    const idle = nextIopub(
      kernel,
      (m) => m.parent_header.msg_type === "kernel_info_request" && m.content.execution_state === "idle",
    );
    const reply = await kernel.kernelInfo();
    await idle;
    rec.stop();
    assert.equal(reply.header.msg_type, "kernel_info_reply");
    assert.equal(reply.content.status, "ok");
    assert.equal(reply.content.protocol_version, "5.3");
    assert.equal(reply.content.language_info.name, "typescript");
    assert.deepEqual(trail(rec.messages, reply.parent_header.msg_id!), ["status:busy", "status:idle"]);
  });

  it("names its language truly (the TypeScript tslab compiles with) and answers completion and inspection", async function () {
    const info = (await kernel.kernelInfo()).content.language_info;
    // the version of the compiler tslab really loads (the kernel reads it from its package.json)
    assert.equal(info.version, tslabTs.version);
    assert.match(info.version, /^5\./, "tslab compiles with the project's TypeScript 5, not the 3.7.2 its own reply claims");
    assert.deepEqual([info.mimetype, info.file_extension, info.codemirror_mode], ["text/typescript", ".ts", "typescript"]);
    await kernel.execute(`const deepvizProbe = { alpha: 1, beta: "two" };`);
    const code = "deepvizProbe.al";
    const done = await kernel.request("shell", "complete_request", { code, cursor_pos: code.length });
    assert.equal(done.content.status, "ok");
    assert.ok(done.content.matches.includes("alpha"), `completions: ${done.content.matches.join(", ")}`);
    assert.deepEqual([done.content.cursor_start, done.content.cursor_end], [code.length - 2, code.length]);
    const seen = await kernel.request("shell", "inspect_request", { code: "deepvizProbe", cursor_pos: 5, detail_level: 0 });
    assert.equal(seen.content.status, "ok");
    assert.equal(seen.content.found, true);
    assert.match(seen.content.data["text/plain"], /alpha: number;\s*beta: string;/);
  });

  it("executes with streams, a rich last value (bytes as base64) and counts executions", async function () {
    const a = await kernel.execute(`const n: number = 6 * 7; console.log("n is", n);`);
    assert.equal(a.reply.content.status, "ok");
    assert.deepEqual(
      a.iopub.map((m) => [m.header.msg_type, m.content.text]),
      [["stream", "n is 42\n"]],
    );
    const b = await kernel.execute(
      `({ [Symbol.for("Jupyter.display")]() { return { "text/html": "<b>" + n + "</b>", "image/png": new Uint8Array([1, 2, 3]) }; } })`,
    );
    assert.equal(b.reply.content.status, "ok");
    assert.equal(b.reply.content.execution_count, a.reply.content.execution_count + 1);
    const result = b.iopub.find((m) => m.header.msg_type === "execute_result")!;
    // [1, 2, 3] = 000000 010000 001000 000011 in 6-bit groups → A Q I D
    assert.deepEqual(result.content.data, { "text/html": "<b>42</b>", "image/png": "AQID" });
    assert.equal(result.content.execution_count, b.reply.content.execution_count);
  });

  it("shows a promised bundle and tslab.display output", async function () {
    const a = await kernel.execute(`({ [Symbol.for("Jupyter.display")]: async () => ({ "text/plain": "later" }) })`);
    assert.deepEqual(
      a.iopub.filter((m) => m.header.msg_type === "execute_result").map((m) => m.content.data),
      [{ "text/plain": "later" }],
    );
    const b = await kernel.execute(`import * as tslab from "tslab"; tslab.display.html("<i>t</i>");`);
    assert.deepEqual(
      b.iopub.map((m) => [m.header.msg_type, m.content.data]),
      [["display_data", { "text/html": "<i>t</i>" }]],
    );
  });

  it("reports a thrown error with ename/evalue and runs the very next request", async function () {
    const bad = await kernel.execute(`throw new RangeError("too far")`);
    assert.equal(bad.reply.content.status, "error");
    assert.equal(bad.reply.content.ename, "RangeError");
    assert.equal(bad.reply.content.evalue, "too far");
    const err = bad.iopub.find((m) => m.header.msg_type === "error")!;
    assert.equal(err.content.evalue, "too far");
    // sent at once after the failure: tslab alone would abort it
    const next = await kernel.execute(`1 + 1`);
    assert.equal(next.reply.content.status, "ok");
  });

  it("reports TypeScript errors as errors", async function () {
    const bad = await kernel.execute(`const s: number = "text";`);
    assert.equal(bad.reply.content.status, "error");
    assert.equal(bad.reply.content.ename, "TypeScriptError");
    assert.match(bad.reply.content.evalue, /Type 'string' is not assignable to type 'number'/);
  });

  it("round-trips comm_open and comm_msg with binary buffers, busy/idle around each", async function () {
    assert.equal((await kernel.execute(ECHO_TARGET)).reply.content.status, "ok");
    const rec = recordIopub(kernel);
    const commId = "c0ffee";
    const openAnswer = nextIopub(kernel, (m) => m.header.msg_type === "comm_msg" && m.content.comm_id === commId);
    const open = kernel.send(
      "shell",
      "comm_open",
      { comm_id: commId, target_name: "echo", data: { hello: 1 } },
      {
        buffers: [new Uint8Array([1, 2, 255]), new Uint8Array([0])],
      },
    );
    const a = await openAnswer;
    assert.equal(a.parent_header.msg_id, open.msg_id);
    assert.deepEqual(a.content.data, { opened: { hello: 1 }, sizes: [3, 1] });
    assert.deepEqual(
      a.buffers.map((b) => [...b]),
      [[2, 3, 0], [1]],
    );

    const msgAnswer = nextIopub(kernel, (m) => m.header.msg_type === "comm_msg" && m.content.data?.echo?.n === 2);
    const msgIdle = nextIopub(kernel, (m) => m.parent_header.msg_type === "comm_msg" && m.content.execution_state === "idle");
    const msg = kernel.send("shell", "comm_msg", { comm_id: commId, data: { n: 2 } }, { buffers: [Buffer.from([9, 8, 7, 6])] });
    const b = await msgAnswer;
    assert.equal(b.parent_header.msg_id, msg.msg_id);
    assert.deepEqual(
      b.buffers.map((x) => [...x]),
      [[6, 7, 8, 9]],
    );
    await msgIdle;
    rec.stop();
    assert.deepEqual(trail(rec.messages, open.msg_id), ["status:busy", "comm_msg", "status:idle"]);
    assert.deepEqual(trail(rec.messages, msg.msg_id), ["status:busy", "comm_msg", "status:idle"]);
  });

  it("answers comm_info_request with status ok, filtered by target", async function () {
    const all = await kernel.request("shell", "comm_info_request", {});
    assert.equal(all.header.msg_type, "comm_info_reply");
    assert.equal(all.content.status, "ok");
    assert.deepEqual(all.content.comms.c0ffee, { target_name: "echo" });
    const none = await kernel.request("shell", "comm_info_request", { target_name: "jupyter.widget" });
    assert.equal(none.content.comms.c0ffee, undefined);
  });

  it("puts display() from a comm handler into the cell executed last", async function () {
    const last = await kernel.execute(`"last cell"`);
    const shown = nextIopub(kernel, (m) => m.header.msg_type === "display_data");
    kernel.send("shell", "comm_msg", { comm_id: "c0ffee", data: { display: true } });
    const d = await shown;
    assert.deepEqual(d.content.data, { "text/plain": "shown by a comm handler" });
    assert.equal(d.parent_header.msg_id, last.reply.parent_header.msg_id);
  });

  it("closes comms: comm_close removes it from comm_info", async function () {
    const close = kernel.send("shell", "comm_close", { comm_id: "c0ffee", data: {} });
    await nextIopub(kernel, (m) => m.parent_header.msg_id === close.msg_id && m.content.execution_state === "idle");
    const info = await kernel.request("shell", "comm_info_request", { target_name: "echo" });
    assert.deepEqual(info.content.comms, {});
  });

  it("answers comm_open for an unknown target with comm_close on iopub", async function () {
    const closed = nextIopub(kernel, (m) => m.header.msg_type === "comm_close");
    const open = kernel.send("shell", "comm_open", { comm_id: "nobody-home", target_name: "no.such.target", data: {} });
    const c = await closed;
    assert.equal(c.content.comm_id, "nobody-home");
    assert.equal(c.parent_header.msg_id, open.msg_id);
  });

  it("opens comms from the kernel with buffers and delivers the front end's messages to them", async function () {
    const opened = nextIopub(kernel, (m) => m.header.msg_type === "comm_open" && m.content.target_name === "from.kernel");
    const cell = await kernel.execute(`
      const got: any[] = [];
      const k = ${MANAGER}.open("from.kernel", { x: 1 }, { buffers: [new Float32Array([0.5])], metadata: { version: "2.1.0" } });
      k.onMsg((m: any) => got.push([m.data, Array.from(m.buffers[0])]));
      k.commId`);
    const o = await opened;
    assert.equal(o.parent_header.msg_id, cell.reply.parent_header.msg_id);
    assert.deepEqual(o.content.data, { x: 1 });
    assert.deepEqual(o.metadata, { version: "2.1.0" });
    assert.equal(o.buffers[0].readFloatLE(0), 0.5);
    const msg = kernel.send(
      "shell",
      "comm_msg",
      { comm_id: o.content.comm_id, data: { y: 2 } },
      { buffers: [new Uint8Array([5, 6])] },
    );
    await nextIopub(kernel, (m) => m.parent_header.msg_id === msg.msg_id && m.content.execution_state === "idle");
    const check = await kernel.execute(`console.log(JSON.stringify(got))`);
    assert.equal(check.iopub[0].content.text, `[[{"y":2},[5,6]]]\n`);
  });

  /**
   * Like a user pressing "interrupt" again when nothing happens: on a busy machine a SIGINT can land
   * while the vm's watchdog still owns it (the cell's synchronous part looks done but has not returned).
   */
  async function interruptUntilSettled(cell: Promise<unknown>): Promise<void> {
    let settled = false;
    void cell.finally(() => (settled = true)).catch(() => undefined);
    for (let tries = 0; tries < 8 && !settled; tries++) {
      await kernel.interrupt();
      await Promise.race([cell.catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
    }
  }

  it("interrupts an awaiting cell and a busy loop, then runs on", async function () {
    const limit = { timeoutMs: 30_000 };
    const sleeping = nextIopub(kernel, (m) => m.header.msg_type === "stream" && m.content.text === "sleeping\n");
    const waiting = kernel.execute(`console.log("sleeping"); await new Promise((r) => setTimeout(r, 60000)); "never"`, limit);
    await sleeping;
    // past the cell's synchronous part: a SIGINT during it belongs to the vm's breakOnSigint watchdog
    await new Promise((r) => setTimeout(r, 500));
    await interruptUntilSettled(waiting);
    const a = await waiting;
    assert.equal(a.reply.content.status, "error");
    assert.equal(a.reply.content.ename, "KeyboardInterrupt");
    assert.match(a.reply.content.evalue, /Interrupted/);

    const started = nextIopub(kernel, (m) => m.header.msg_type === "stream" && m.content.text === "looping\n");
    const looping = kernel.execute(`console.log("looping"); while (true) {}`, limit);
    await started; // the loop has begun (the first output leaves before the loop blocks the kernel)
    await interruptUntilSettled(looping);
    const b = await looping;
    assert.equal(b.reply.content.status, "error");
    assert.equal(b.reply.content.ename, "KeyboardInterrupt");
    assert.match(b.reply.content.evalue, /interrupted by `?SIGINT/);
    const after = await kernel.execute(`console.log("alive")`, limit);
    assert.equal(after.iopub[0].content.text, "alive\n");
  });

  it("survives a burst of bad messages, acting on none, then executes normally", async function () {
    const key = kernel.conn.key;
    const rec = recordIopub(kernel);
    const bad: string[] = [];
    const frames = (header: ReturnType<typeof makeHeader>, content: object, signKey = key) => {
      bad.push(header.msg_id);
      return encode(signKey, { identities: [], header, parent_header: {}, metadata: {}, content });
    };
    const exec = (tag: string) => ({ code: `console.log("PWNED-${tag}")`, silent: false });
    const h = (type: string) => makeHeader(type, kernel.session);
    // wrong key
    kernel.sendRaw("shell", frames(h("execute_request"), exec("wrong-key"), "not-the-key"));
    // unsigned
    const unsigned = frames(h("execute_request"), exec("unsigned"));
    unsigned[1] = Buffer.alloc(0);
    kernel.sendRaw("shell", unsigned);
    // signature of other content (tampered after signing)
    const tampered = frames(h("execute_request"), exec("tampered-a"));
    tampered[5] = Buffer.from(JSON.stringify(exec("tampered-b")));
    kernel.sendRaw("shell", tampered);
    // correctly signed, malformed JSON
    const junk = [Buffer.from("{not json"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    const { createHmac } = await import("crypto");
    const mac = createHmac("sha256", key);
    junk.forEach((f) => mac.update(f));
    kernel.sendRaw("shell", [Buffer.from("<IDS|MSG>"), Buffer.from(mac.digest("hex")), ...junk]);
    // too few frames, no delimiter
    kernel.sendRaw("shell", [Buffer.from("<IDS|MSG>"), Buffer.from("abc")]);
    kernel.sendRaw("control", [Buffer.from("hello")]);
    // signed but meaningless: unknown type, messages for closed / unknown comms, code that is not a string
    kernel.send("shell", "frobnicate_request", {});
    kernel.send("shell", "comm_msg", { comm_id: "c0ffee", data: { n: 1 } });
    kernel.send("shell", "comm_msg", { comm_id: "never-opened", data: {} });
    kernel.send("shell", "comm_close", { comm_id: "never-opened", data: {} });
    const notCode = await kernel.request("shell", "execute_request", { code: 42 });
    assert.equal(notCode.content.status, "error");

    const ok = await kernel.execute(`console.log("still fine", n)`);
    assert.equal(ok.reply.content.status, "ok");
    assert.equal(ok.iopub[0].content.text, "still fine 42\n");
    rec.stop();
    for (const m of rec.messages) {
      assert.ok(!bad.includes(m.parent_header.msg_id!), `kernel reacted to a bad message: ${m.header.msg_type}`);
      assert.ok(!String(m.content.text ?? "").includes("PWNED"), "a badly signed execute_request ran");
      assert.ok(m.header.msg_type !== "comm_msg" || m.content.comm_id !== "c0ffee", "a closed comm answered");
    }
    const log = kernel.log.join("");
    for (const line of [
      "rejected message: bad signature",
      "rejected message: unsigned message",
      "rejected message: malformed JSON in header",
      "rejected message: too few frames",
      "rejected message: no <IDS|MSG> delimiter",
      'unknown message type "frobnicate_request"',
      'comm_msg for unknown or closed comm "c0ffee"',
      'comm_close for unknown or closed comm "never-opened"',
    ]) {
      assert.ok(log.includes(line), `kernel log lacks: ${line}\n${log}`);
    }
    assert.equal(log.split("rejected message: bad signature").length - 1, 2); // wrong key + tampered
  });

  it("restarts on shutdown_request(restart) with fresh state, and exits on shutdown", async function () {
    const before = kernel.process!.pid;
    const reply = await kernel.shutdown(true);
    assert.equal(reply.header.msg_type, "shutdown_reply");
    assert.equal(reply.content.restart, true);
    assert.notEqual(kernel.process!.pid, before);
    const r = await kernel.execute(`n`); // declared before the restart
    assert.equal(r.reply.content.status, "error");
    // right after a restart the cell may run before the type checker is ready (kernel-ext/README.md, Start-up)
    assert.match(r.reply.content.evalue, /Cannot find name 'n'|n is not defined/);
    const child = kernel.process!;
    const bye = await kernel.shutdown(false);
    assert.equal(bye.content.restart, false);
    assert.equal(`${child.exitCode}/${child.signalCode}`, "0/null", `kernel log:\n${kernel.log.join("")}`);
  });
});

describe("JavaScript kernel", function () {
  it("runs JavaScript and rejects TypeScript syntax", async function () {
    const kernel = await launch({ js: true });
    try {
      const info = await kernel.kernelInfo();
      assert.equal(info.content.language_info.name, "javascript");
      const r = await kernel.execute(`console.log([1, 2, 3].map((x) => x * 2).join(","))`);
      assert.equal(r.reply.content.status, "ok");
      assert.equal(r.iopub[0].content.text, "2,4,6\n");
      const ts = await kernel.execute(`const y: number = 1;`);
      assert.equal(ts.reply.content.status, "error");
      assert.match(ts.reply.content.evalue, /Type annotations can only be used in TypeScript files/);
    } finally {
      await kernel.close();
    }
  });
});
