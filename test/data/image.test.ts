import { strict as assert } from "assert";
import { createServer, Server } from "http";
import { AddressInfo } from "net";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as tf from "@tensorflow/tfjs";
import { createCanvas } from "@napi-rs/canvas";
import { backend } from "../../src/backend";
import * as dv from "../../src";

/** A 3×2 PNG with known pixels: row 0 red, green, blue; row 1 white, black, grey 128. */
function testPng(format: "image/png" | "image/jpeg" = "image/png"): Buffer {
  const canvas = createCanvas(3, 2);
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(3, 2);
  const rgb = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0], [128, 128, 128]];
  rgb.forEach((c, i) => img.data.set([...c, 255], i * 4));
  ctx.putImageData(img, 0, 0);
  return format === "image/png" ? canvas.toBuffer("image/png") : canvas.toBuffer("image/jpeg", 100);
}
const EXPECTED = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 128 / 255, 128 / 255, 128 / 255];

describe("data.loadImage", () => {
  const dir = mkdtempSync(join(tmpdir(), "dv-image-"));
  let server: Server;
  let base = "";
  before(async () => {
    await backend();
    writeFileSync(join(dir, "t.png"), testPng());
    server = createServer((req, res) => {
      if (req.url === "/t.png") res.writeHead(200, { "content-type": "image/png" }).end(testPng());
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it("decodes a PNG from a path, bytes and an http URL to the exact pixels in [0, 1]", async () => {
    for (const source of [join(dir, "t.png"), testPng(), new Uint8Array(testPng()), `${base}/t.png`, new URL(`${base}/t.png`)]) {
      const before = tf.memory().numTensors;
      const x = await dv.data.loadImage(source);
      assert.deepEqual(x.shape, [2, 3, 3]);
      Array.from(x.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - EXPECTED[i]) < 1e-6, `${i}: ${v}`));
      x.dispose();
      assert.equal(tf.memory().numTensors, before);
    }
  });

  it("decodes a JPEG (lossy: within a few levels) and resizes on request", async () => {
    const big = createCanvas(40, 20);
    const ctx = big.getContext("2d");
    ctx.fillStyle = "rgb(200, 40, 40)";
    ctx.fillRect(0, 0, 20, 20);
    ctx.fillStyle = "rgb(40, 40, 200)";
    ctx.fillRect(20, 0, 20, 20);
    const x = await dv.data.loadImage(big.toBuffer("image/jpeg", 95), { size: [10, 8] });
    assert.deepEqual(x.shape, [10, 8, 3]);
    const v = x.arraySync() as number[][][];
    assert.ok(Math.abs(v[5][1][0] - 200 / 255) < 0.04 && Math.abs(v[5][1][2] - 40 / 255) < 0.04, `left ${v[5][1]}`);
    assert.ok(Math.abs(v[5][6][2] - 200 / 255) < 0.04 && Math.abs(v[5][6][0] - 40 / 255) < 0.04, `right ${v[5][6]}`);
    x.dispose();
  });

  it("says clearly what is wrong with a missing file, non-image bytes or a bad URL", async () => {
    await assert.rejects(dv.data.loadImage(join(dir, "nope.png")), /No image file/);
    await assert.rejects(dv.data.loadImage(new TextEncoder().encode("hello, not an image")), /neither PNG nor JPEG/);
    await assert.rejects(dv.data.loadImage(`${base}/missing.png`), /HTTP 404/);
    await assert.rejects(dv.data.loadImage(testPng().subarray(0, 40)), dv.DeepVizError);
  });
});
