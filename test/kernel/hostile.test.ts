/**
 * The kernel against an attacker on its sockets, with raw zeromq clients: replayed signed messages run
 * once, buffer paths cannot pollute prototypes, an orphan in a busy loop exits, huge and flooding messages
 * leave memory bounded, control-channel interrupts stop busy loops, and a kernel that cannot bind exits.
 */
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as zmq from "zeromq";
import { KERNEL_BIN } from "../../kernel-ext/src/client";
import { channelAddress, newConnection } from "../../kernel-ext/src/connection";
import { WidgetStateTracker } from "../../kernel-ext/src/widget-state";
import { encode, makeHeader, type JupyterMessage } from "../../kernel-ext/src/wire";
import { putBuffers } from "../../widgets/src/buffers";
import { launch, recordIopub, REPO, SOURCE_ENV } from "./helpers";

type Kernel = Awaited<ReturnType<typeof launch>>;

/** A raw DEALER on one of the kernel's channels. */
async function rawSocket(kernel: Kernel, channel: "shell" | "control" | "stdin"): Promise<zmq.Dealer> {
  const sock = new zmq.Dealer({ linger: 0, sendTimeout: 30_000 });
  sock.connect(channelAddress(kernel.conn, channel));
  return sock;
}

function signed(kernel: Kernel, type: string, content: object, buffers: Buffer[] = []): Buffer[] {
  return encode(kernel.conn.key, {
    identities: [],
    header: makeHeader(type, kernel.session),
    parent_header: {},
    metadata: {},
    content,
    buffers,
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe("kernel under attack (raw zeromq clients)", function () {
  this.timeout(240_000);
  let kernel: Kernel;
  before(async () => {
    kernel = await launch();
  });
  after(async () => {
    await kernel?.close();
  });

  it("runs a replayed signed request once, on shell and on control, and refuses it across channels", async () => {
    const rec = recordIopub(kernel);
    const shell = await rawSocket(kernel, "shell");
    const control = await rawSocket(kernel, "control");
    try {
      await kernel.execute(`let replayRuns = 0;`);
      const exec = signed(kernel, "execute_request", {
        code: `replayRuns++; console.log("ran", replayRuns)`,
        silent: false,
        stop_on_error: false,
      });
      for (let i = 0; i < 3; i++) await shell.send(exec);
      await control.send(exec); // the same signature on another channel
      const info = signed(kernel, "kernel_info_request", {});
      for (let i = 0; i < 3; i++) await control.send(info);
      await sleep(1500);
      const after = await kernel.execute(`console.log("count", replayRuns)`);
      assert.equal(after.iopub[0].content.text, "count 1\n");
      const infoId = JSON.parse(info[2].toString()).msg_id;
      const busy = rec.messages.filter(
        (m) => m.parent_header.msg_id === infoId && m.header.msg_type === "status" && m.content.execution_state === "busy",
      );
      assert.equal(busy.length, 1, "kernel_info on control answered once");
      assert.equal(count(kernel.log.join(""), "rejected message: duplicate signature"), 3 + 2);
    } finally {
      rec.stop();
      shell.close();
      control.close();
    }
  });

  it("buffer paths through __proto__ / constructor.prototype pollute nothing (widget kit and runner)", async () => {
    // the kernel's widget kit: a front-end update to a live slider
    const shown = await kernel.execute(`import * as dv from "deepviz";\nconst s = new dv.widgets.IntSlider({ value: 1 });\ns`);
    const view = shown.iopub.find((m) => m.header.msg_type === "execute_result")!;
    const modelId = view.content.data["application/vnd.jupyter.widget-view+json"].model_id;
    const paths = [["__proto__", "polluted"], ["constructor", "prototype", "polluted"], ["value", "__proto__"], ["prototype"]];
    for (const p of paths) {
      kernel.send(
        "shell",
        "comm_msg",
        { comm_id: modelId, data: { method: "update", state: {}, buffer_paths: [p] } },
        { buffers: [Buffer.from("x")] },
      );
    }
    kernel.send("shell", "comm_msg", {
      comm_id: modelId,
      data: {
        method: "update",
        state: JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}}'),
      },
    });
    const check = await kernel.execute(
      `console.log(JSON.stringify([({} as any).polluted, (Object.prototype as any).polluted, (s as any).polluted, s.value, typeof (s as any).constructor]))`,
    );
    // (the refused updates' errors may land on this cell's stderr: comm errors go to the cell started last)
    const stdout = check.iopub.find((m) => m.header.msg_type === "stream" && m.content.name === "stdout");
    assert.equal(stdout!.content.text, '[null,null,null,1,"function"]\n');
    assert.match(kernel.log.join("") + JSON.stringify(check.iopub), /is not a list of plain keys and indices/);

    // the widget kit's function itself, and the runner's widget state tracker
    assert.throws(() => putBuffers({}, [["__proto__", "x"]], [new Uint8Array(1)]), /plain keys/);
    assert.throws(() => putBuffers({}, [["a", "constructor", "prototype"]], [new Uint8Array(1)]), /plain keys/);
    const tracker = new WidgetStateTracker();
    const msg = {
      identities: [],
      header: { msg_type: "comm_open" },
      parent_header: {},
      metadata: {},
      content: {
        comm_id: "m",
        target_name: "jupyter.widget",
        data: {
          state: JSON.parse('{"_model_name":"X","__proto__":{"polluted":3}}'),
          buffer_paths: [["__proto__", "polluted"], ["constructor", "prototype"], ["ok"]],
        },
      },
      buffers: [Buffer.from("a"), Buffer.from("b"), Buffer.from("c")],
    } as unknown as JupyterMessage;
    tracker.observe(msg);
    const saved = tracker.toJSON().state.m;
    assert.equal(({} as any).polluted, undefined);
    assert.deepEqual(
      saved.buffers!.map((b) => b.path),
      [["ok"]],
    );
    assert.equal(Object.getPrototypeOf(saved.state), null);
  });

  it("a control-channel interrupt_request stops a busy loop (no signal from the client)", async () => {
    const started = new Promise<void>((resolve) => {
      const off = kernel.onIopub((m) => {
        if (m.header.msg_type === "stream" && m.content.text === "spinning\n") {
          off();
          resolve();
        }
      });
    });
    const cell = kernel.execute(`console.log("spinning"); while (true) {}`, { timeoutMs: 60_000 });
    await started;
    await sleep(300);
    let settled = false;
    void cell.finally(() => (settled = true)).catch(() => undefined);
    const t0 = Date.now();
    for (let tries = 0; tries < 5 && !settled; tries++) {
      const reply = await kernel.request("control", "interrupt_request", {});
      assert.equal(reply.content.status, "ok");
      await Promise.race([cell.catch(() => undefined), sleep(3000)]);
    }
    const out = await cell;
    assert.equal(out.reply.content.ename, "KeyboardInterrupt");
    assert.ok(Date.now() - t0 < 15_000);
    const next = await kernel.execute(`console.log("alive")`);
    assert.equal(next.iopub[0].content.text, "alive\n");
  });

  it("a 200 MB message, 6 × 50 MB on stdin and floods leave memory bounded and the kernel correct", async () => {
    const pid = kernel.process!.pid!;
    await kernel.execute(`1`);
    const before = rssMb(pid);
    const shell = await rawSocket(kernel, "shell");
    const stdin = await rawSocket(kernel, "stdin");
    try {
      const huge = Buffer.alloc(200 * 1024 * 1024, 1);
      await shell.send(signed(kernel, "execute_request", { code: `console.log("PWNED-huge")` }, [huge]));
      const fifty = Buffer.alloc(50 * 1024 * 1024, 2);
      for (let i = 0; i < 6; i++) await stdin.send([Buffer.from("<IDS|MSG>"), Buffer.from(""), fifty]);
      // floods: small unsigned messages on stdin, badly signed ones on shell
      const small = [
        Buffer.from("<IDS|MSG>"),
        Buffer.from(""),
        Buffer.from("{}"),
        Buffer.from("{}"),
        Buffer.from("{}"),
        Buffer.from("{}"),
      ];
      const badShell = signed(kernel, "execute_request", { code: `console.log("PWNED-flood")` });
      badShell[1] = Buffer.from("0".repeat(64));
      for (let i = 0; i < 20_000; i++) {
        await stdin.send(small);
        await shell.send(badShell);
      }
      await sleep(2000);
      const ok = await kernel.execute(`console.log("correct", 6 * 7)`);
      assert.equal(ok.iopub[0].content.text, "correct 42\n");
      const grown = rssMb(pid) - before;
      assert.ok(grown < 120, `kernel grew by ${grown.toFixed(0)} MB`);
      const log = kernel.log.join("");
      assert.ok(!log.includes("PWNED") && !JSON.stringify(ok).includes("PWNED"));
      assert.match(log, /stdin message dropped/);
      assert.ok(log.length < 200_000, `the flood flooded the log (${log.length} chars)`);
      console.log(`      (kernel RSS ${before.toFixed(0)} MB before, ${(before + grown).toFixed(0)} MB after)`);
    } finally {
      shell.close();
      stdin.close();
    }
  });
});

describe("kernel lifetime", function () {
  this.timeout(120_000);

  it("an orphan in a busy loop exits within 5 s of its parent's death", async () => {
    const parent = spawn(process.execPath, ["--require", "tsx/cjs", path.join(__dirname, "orphan-parent.ts")], {
      cwd: REPO,
      env: SOURCE_ENV,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      let out = "";
      parent.stdout!.on("data", (d) => {
        out += d;
        const m = /kernel (\d+) looping/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      parent.on("exit", (code) => reject(new Error(`parent exited early (${code}): ${out}`)));
      setTimeout(() => reject(new Error(`no busy kernel after 90 s: ${out}`)), 90_000);
    });
    await sleep(500);
    const t0 = Date.now();
    parent.kill("SIGKILL");
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (alive() && Date.now() - t0 < 10_000) await sleep(100);
    const ms = Date.now() - t0;
    assert.ok(!alive(), "the orphaned kernel is still running");
    assert.ok(ms < 5000, `the orphan took ${ms} ms to exit`);
    console.log(`      (the orphan exited ${ms} ms after its parent was killed)`);
  });

  it("a kernel that cannot bind its ports says so and exits non-zero", async () => {
    const conn = await newConnection();
    const blocker = net.createServer();
    await new Promise<void>((ok) => blocker.listen(conn.shell_port, "127.0.0.1", ok));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-bind-"));
    const file = path.join(dir, "connection.json");
    fs.writeFileSync(file, JSON.stringify(conn));
    try {
      const r = spawnSync(process.execPath, [KERNEL_BIN, "kernel", "--config-path", file], {
        env: SOURCE_ENV,
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(r.status, 1, `${r.signal ?? ""} ${r.stderr}`);
      assert.match(
        r.stderr,
        new RegExp(`the kernel could not start: cannot bind the shell channel to tcp://127.0.0.1:${conn.shell_port}: .*`),
      );
    } finally {
      blocker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
