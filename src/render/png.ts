import * as zlib from "zlib";
import { fail } from "../errors";
import { RGBA } from "./types";

/**
 * PNG written and read here with zlib, so pixels round-trip exactly (a canvas would premultiply alpha
 * and lose precision where alpha < 255). The decoder reads 8-bit grey, grey+alpha, RGB, RGBA and
 * palette images, non-interlaced: what this library and most image files use.
 */

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, "latin1");
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/** PNG bytes of RGBA pixels (colour type 6, 8 bits, the "up" filter on every row; zlib level 1: within 5 % of level 6 in size at a third of the time). */
export function encodePng(img: RGBA, level = 1): Uint8Array {
  if (
    !img ||
    typeof img !== "object" ||
    !(img.data instanceof Uint8Array || img.data instanceof Uint8ClampedArray) ||
    !Number.isInteger(img.width) ||
    !Number.isInteger(img.height) ||
    img.width <= 0 ||
    img.height <= 0
  ) {
    fail(
      "encodePng needs RGBA pixels: { width, height, data: Uint8ClampedArray of width × height × 4 bytes } (a Picture's .rgba, or dv.render.*).",
    );
  }
  const { width, height, data } = img;
  if (data.length !== width * height * 4) fail(`RGBA data has ${data.length} bytes; expected ${width * height * 4}.`);
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1);
    raw[o] = 2; // "up": each byte minus the one above, which compresses smooth images well
    const row = y * stride;
    if (y === 0) raw.set(data.subarray(0, stride), o + 1);
    else for (let x = 0; x < stride; x++) raw[o + 1 + x] = data[row + x] - data[row - stride + x];
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(raw, { level })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a),
    pb = Math.abs(p - b),
    pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** RGBA pixels of a PNG file's bytes. */
export function decodePng(bytes: Uint8Array): RGBA {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) fail("These bytes are not a PNG file (bad signature).");
  let pos = 8;
  let width = 0,
    height = 0,
    depth = 0,
    type = 0,
    interlace = 0;
  let palette: Buffer | null = null;
  let trns: Buffer | null = null;
  const idat: Buffer[] = [];
  while (pos + 8 <= buf.length) {
    const len = buf.readUInt32BE(pos);
    const kind = buf.toString("latin1", pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (kind === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      depth = body[8];
      type = body[9];
      interlace = body[12];
    } else if (kind === "PLTE") palette = body;
    else if (kind === "tRNS") trns = body;
    else if (kind === "IDAT") idat.push(body);
    else if (kind === "IEND") break;
    pos += 12 + len;
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[type];
  if (!channels || depth !== 8 || interlace !== 0) {
    fail(
      `This PNG (colour type ${type}, ${depth}-bit${interlace ? ", interlaced" : ""}) is not supported; ` +
        `save it as an 8-bit non-interlaced PNG.`,
    );
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pix = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pix[row + x - channels] : 0;
      const b = y > 0 ? pix[row - stride + x] : 0;
      const c = x >= channels && y > 0 ? pix[row - stride + x - channels] : 0;
      const v = raw[src + x];
      pix[row + x] =
        filter === 0 ? v : filter === 1 ? v + a : filter === 2 ? v + b : filter === 3 ? v + ((a + b) >> 1) : v + paeth(a, b, c);
    }
  }
  const out = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const i = p * channels,
      o = p * 4;
    if (type === 3) {
      const k = pix[i];
      out[o] = palette![k * 3];
      out[o + 1] = palette![k * 3 + 1];
      out[o + 2] = palette![k * 3 + 2];
      out[o + 3] = trns && k < trns.length ? trns[k] : 255;
    } else if (channels <= 2) {
      out[o] = out[o + 1] = out[o + 2] = pix[i];
      out[o + 3] = channels === 2 ? pix[i + 1] : 255;
    } else {
      out[o] = pix[i];
      out[o + 1] = pix[i + 1];
      out[o + 2] = pix[i + 2];
      out[o + 3] = channels === 4 ? pix[i + 3] : 255;
    }
  }
  return { width, height, data: out };
}
