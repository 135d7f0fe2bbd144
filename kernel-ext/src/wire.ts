/**
 * The Jupyter wire protocol (messaging spec 5.3): frames, HMAC signatures and binary buffers.
 * Shared by the kernel and the client. Frames on the wire:
 *   [routing ids..., "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers...]
 * The HMAC signs the four JSON frames exactly as received, never the buffers.
 */
import { createHmac, randomBytes, timingSafeEqual } from "crypto";

export const PROTOCOL_VERSION = "5.3";
const DELIMITER = Buffer.from("<IDS|MSG>");

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
  [k: string]: unknown;
}

export interface JupyterMessage<C = any> {
  /** ZeroMQ routing prefix (router sockets); empty elsewhere. */
  identities: Buffer[];
  header: MessageHeader;
  /** `{}` when the message has no parent. */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** Thrown for frames that must not be acted on; the message says why. */
export class WireError extends Error {
  override name = "WireError";
}

export function newId(): string {
  return randomBytes(16).toString("hex");
}

export function makeHeader(msgType: string, session: string, username = "deepviz"): MessageHeader {
  return {
    msg_id: newId(),
    msg_type: msgType,
    session,
    username,
    date: new Date().toISOString(),
    version: PROTOCOL_VERSION,
  };
}

/** Signs with HMAC-SHA256; an empty key means "no signing" (the spec allows it). */
export function sign(key: string, frames: Buffer[]): string {
  if (!key) return "";
  const hmac = createHmac("sha256", key);
  for (const f of frames) hmac.update(f);
  return hmac.digest("hex");
}

function toBuffer(view: ArrayBufferView | ArrayBuffer): Buffer {
  if (view instanceof ArrayBuffer) return Buffer.from(view);
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** Builds the frames of a message (routing ids first). */
export function encode(
  key: string,
  msg: Omit<JupyterMessage, "buffers"> & { buffers?: (ArrayBufferView | ArrayBuffer)[] },
): Buffer[] {
  const json = [msg.header, msg.parent_header, msg.metadata, msg.content].map((part) =>
    Buffer.from(JSON.stringify(part ?? {}), "utf8"),
  );
  const signature = Buffer.from(sign(key, json), "ascii");
  const buffers = (msg.buffers ?? []).map(toBuffer);
  return [...msg.identities, DELIMITER, signature, ...json, ...buffers];
}

function parseJson(frame: Buffer, what: string): any {
  try {
    return JSON.parse(frame.toString("utf8"));
  } catch (e) {
    throw new WireError(`malformed JSON in ${what}: ${(e as Error).message}`);
  }
}

/**
 * Remembers the signatures of accepted messages, so a captured message replayed later is refused, as
 * jupyter_client's Session does (a bounded history: past `limit` entries the oldest tenth is forgotten).
 */
export class ReplayGuard {
  private readonly signatures = new Set<string>();
  constructor(private readonly limit = 1 << 16) {}

  /** True the first time a signature is seen. */
  accept(signature: string): boolean {
    if (this.signatures.has(signature)) return false;
    this.signatures.add(signature);
    if (this.signatures.size > this.limit) {
      let drop = Math.ceil(this.limit / 10);
      for (const old of this.signatures) {
        if (drop-- <= 0) break;
        this.signatures.delete(old);
      }
    }
    return true;
  }
}

/**
 * Parses and verifies frames. The signature is checked before any JSON is parsed, so a badly signed
 * message is rejected whatever it holds; with a guard, so is a signature seen before (a replay).
 */
export function decode(key: string, frames: Buffer[], guard?: ReplayGuard): JupyterMessage {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0) throw new WireError("no <IDS|MSG> delimiter");
  if (frames.length < at + 6) throw new WireError(`too few frames (${frames.length - at - 1} after the delimiter, need 5)`);
  const identities = frames.slice(0, at);
  const signature = frames[at + 1];
  const json = frames.slice(at + 2, at + 6);
  if (key) {
    const expected = Buffer.from(sign(key, json), "ascii");
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      throw new WireError(signature.length === 0 ? "unsigned message" : "bad signature");
    }
    if (guard && !guard.accept(signature.toString("ascii"))) throw new WireError("duplicate signature (a replayed message)");
  }
  const header = parseJson(json[0], "header");
  if (!header || typeof header.msg_type !== "string" || typeof header.msg_id !== "string") {
    throw new WireError("header lacks msg_type or msg_id");
  }
  const content = parseJson(json[3], "content");
  return {
    identities,
    header,
    parent_header: parseJson(json[1], "parent_header") ?? {},
    metadata: parseJson(json[2], "metadata") ?? {},
    content: content ?? {},
    buffers: frames.slice(at + 6),
  };
}
