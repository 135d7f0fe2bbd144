/**
 * Kernel timings (not a test): start-up until kernel_info answers, a trivial cell, and comm round trips
 * (front end → kernel handler → front end) without and with a 1 MiB binary buffer.
 * Target: a comm round trip with no buffer under 5 ms, so slider drags feel immediate. Run: npm run bench:kernel
 */
import { KernelClient } from "../kernel-ext/src/client";
import type { JupyterMessage } from "../kernel-ext/src/wire";

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function main(): Promise<void> {
  let t0 = Date.now();
  const client = await KernelClient.launch();
  try {
    console.log(`kernel start until kernel_info answers       ${Date.now() - t0} ms`);
    t0 = Date.now();
    await client.execute("1");
    console.log(`first cell (type checker warm-up)             ${Date.now() - t0} ms`);
    const cells: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = Date.now();
      await client.execute(`const v${i}: number = ${i}; v${i}`);
      cells.push(Date.now() - t);
    }
    console.log(`small cell                                    median ${median(cells)} ms`);
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

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
