/**
 * Kernel timings (not a test). Start-up against IPython's kernel (bench/kernel_start_ipython.py, Debian's
 * python3-ipykernel), medians of REPS fresh starts each, all in this one run: until kernel_info is answered
 * (target ≤ 1.5 s), until a first cell `1+1` is back, until a first `import * as dv from "deepviz"; await
 * dv.backend()` is back (IPython: `import torch` and a tiny op), and until cells are type-checked (a
 * completion request waits for the checker). The same with DEEPVIZ_WAIT_FOR_CHECKER=1 (what the runner
 * does: every cell waits for the type checker, as tslab alone does) shows what the untyped first cells save.
 * Then a small cell and comm round trips (front end → kernel handler → front end) without and with a
 * 1 MiB buffer (target under 5 ms with no buffer, so slider drags feel immediate). Run: npm run bench:kernel
 */
import { execFileSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { KernelClient } from "../kernel-ext/src/client";
import type { JupyterMessage } from "../kernel-ext/src/wire";
import { fmtMs, fmtX, table } from "./measure";

const REPS = 5;
const IMPORT = `import * as dv from "deepviz"; await dv.backend()`;

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface StartTimes {
  ready: number;
  firstCell: number;
  firstImport: number;
  checked?: number;
}

async function ok(client: KernelClient, code: string): Promise<void> {
  const r = await client.execute(code, { timeoutMs: 300_000 });
  if (r.reply.content.status !== "ok") throw new Error(`${code} failed: ${JSON.stringify(r.reply.content)}`);
}

/** Medians over REPS fresh kernels of the times from launch, in ms. */
async function deepvizStart(env: NodeJS.ProcessEnv): Promise<StartTimes> {
  const runs: Required<StartTimes>[] = [];
  for (let i = 0; i < REPS; i++) {
    const start = performance.now();
    const client = await KernelClient.launch({ env });
    try {
      const ready = performance.now() - start;
      await ok(client, "1+1");
      const firstCell = performance.now() - start;
      await ok(client, IMPORT);
      const firstImport = performance.now() - start;
      await client.request("shell", "complete_request", { code: "dv.sal", cursor_pos: 6 });
      runs.push({ ready, firstCell, firstImport, checked: performance.now() - start });
    } finally {
      await client.close();
    }
  }
  const med = (k: keyof StartTimes) => median(runs.map((r) => r[k]));
  return { ready: med("ready"), firstCell: med("firstCell"), firstImport: med("firstImport"), checked: med("checked") };
}

function ipythonStart(): StartTimes | string {
  try {
    const out = execFileSync(
      "/usr/bin/python3",
      [path.join(__dirname, "..", "..", "bench", "kernel_start_ipython.py"), String(REPS)],
      {
        encoding: "utf8",
        timeout: 600_000,
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    const r = JSON.parse(out) as { ready: number; first_cell: number; first_import: number };
    return { ready: r.ready * 1000, firstCell: r.first_cell * 1000, firstImport: r.first_import * 1000 };
  } catch (e) {
    return `IPython unavailable (${String((e as Error).message)
      .split("\n")[0]!
      .slice(0, 80)})`;
  }
}

async function startFigures(): Promise<void> {
  const load = os.loadavg()[0]!;
  const ours = await deepvizStart({ ...process.env, DEEPVIZ_QUICK_CELLS: "1", DEEPVIZ_WAIT_FOR_CHECKER: "" });
  const waiting = await deepvizStart({ ...process.env, DEEPVIZ_WAIT_FOR_CHECKER: "1" });
  const ipython = ipythonStart();
  const ref = typeof ipython === "string" ? undefined : ipython;
  if (!ref) console.log(ipython);
  const row = (label: string, k: keyof StartTimes, target: string, refNote = "") => [
    label,
    fmtMs(ours[k]),
    fmtMs(waiting[k]),
    `${fmtMs(ref?.[k])}${refNote}`,
    fmtX(ref?.[k] ? ours[k]! / ref[k]! : undefined),
    target,
  ];
  console.log(
    `\n## kernel start (medians of ${REPS} starts, ms from launch; load average ${load.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`,
  );
  console.log(
    table(
      ["until", "deepviz", "waiting for checker", "IPython", "ratio", "target"],
      [
        row("kernel_info answered (ready)", "ready", "≤ 1.5 s"),
        row("first cell 1+1 back", "firstCell", "—"),
        row("first import + backend back", "firstImport", "—", " (torch)"),
        ["cells type-checked", fmtMs(ours.checked), fmtMs(waiting.checked), "—", "—", "—"],
      ],
    ),
  );
  console.log(
    `first import after ready: deepviz ${fmtMs(ours.firstImport - ours.firstCell)}, IPython torch ${fmtMs(ref ? ref.firstImport - ref.firstCell : undefined)}`,
  );
}

async function cellAndCommFigures(): Promise<void> {
  const client = await KernelClient.launch();
  try {
    const cells: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await client.execute(`const v${i}: number = ${i}; v${i}`);
      cells.push(performance.now() - t);
    }
    console.log(`\nsmall cell (after the checker is ready)        median ${fmtMs(median(cells.slice(1)))}`);
    await client.execute(`const m = (globalThis as any)[Symbol.for("deepviz.kernel.commManager")];
m.registerTarget("bench.echo", (comm: any) => comm.onMsg((msg: any) => comm.send(msg.data, { buffers: msg.buffers })));`);
    const waiting: ((m: JupyterMessage) => void)[] = [];
    client.onIopub((m) => {
      if (m.header.msg_type === "comm_msg") waiting.shift()?.(m);
    });
    client.send("shell", "comm_open", { comm_id: "bench", target_name: "bench.echo", data: {} });
    await new Promise((r) => setTimeout(r, 300));
    for (const [label, buffers] of [
      ["no buffer", []],
      ["1 MiB buffer", [new Uint8Array(1 << 20)]],
    ] as const) {
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t = process.hrtime.bigint();
        const answer = new Promise<JupyterMessage>((r) => waiting.push(r));
        client.send("shell", "comm_msg", { comm_id: "bench", data: { i } }, { buffers: [...buffers] });
        await answer;
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      console.log(`comm round trip, ${label.padEnd(28)} median ${median(times).toFixed(2)} ms`);
    }
  } finally {
    await client.close();
  }
}

export async function main(): Promise<void> {
  await startFigures();
  await cellAndCommFigures();
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
