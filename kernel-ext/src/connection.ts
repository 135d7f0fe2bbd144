/** Jupyter connection files: the ports and key a kernel and its clients share. */
import { randomBytes } from "crypto";
import * as net from "net";

export interface ConnectionInfo {
  transport: string;
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

export type Channel = "shell" | "iopub" | "stdin" | "control" | "hb";

export function channelAddress(conn: ConnectionInfo, channel: Channel): string {
  const port = conn[`${channel}_port` as const];
  return conn.transport === "ipc" ? `ipc://${conn.ip}-${port}` : `${conn.transport}://${conn.ip}:${port}`;
}

async function freePort(ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, ip, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A fresh connection on loopback with five free ports and a random key. */
export async function newConnection(ip = "127.0.0.1"): Promise<ConnectionInfo> {
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await freePort(ip));
  const [shell_port, iopub_port, stdin_port, control_port, hb_port] = [...ports];
  return {
    transport: "tcp",
    ip,
    shell_port,
    iopub_port,
    stdin_port,
    control_port,
    hb_port,
    key: randomBytes(32).toString("hex"),
    signature_scheme: "hmac-sha256",
  };
}
