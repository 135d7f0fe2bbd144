import { strict as assert } from "assert";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { decodePng, encodePng, RGBA } from "../../src/render";
import { throwsDeepViz } from "./helpers";

function pattern(width: number, height: number, withAlpha: boolean): RGBA {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 5) * 11) & 255;
  if (!withAlpha) for (let p = 0; p < width * height; p++) data[p * 4 + 3] = 255;
  return { width, height, data };
}

describe("render/png", () => {
  it("decodes back exactly the pixels it encoded, alpha included", () => {
    const img = pattern(37, 23, true);
    const back = decodePng(encodePng(img));
    assert.equal(back.width, 37);
    assert.equal(back.height, 23);
    assert.deepEqual(Buffer.from(back.data), Buffer.from(img.data));
  });

  it("writes PNGs that another decoder (Skia, via @napi-rs/canvas) reads to the same pixels", async () => {
    const img = pattern(19, 11, false);
    const decoded = await loadImage(Buffer.from(encodePng(img)));
    const canvas = createCanvas(19, 11);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(decoded, 0, 0);
    assert.deepEqual(Buffer.from(ctx.getImageData(0, 0, 19, 11).data), Buffer.from(img.data));
  });

  it("reads PNGs written by another encoder (all row filters)", () => {
    const img = pattern(31, 17, false);
    const canvas = createCanvas(31, 17);
    const ctx = canvas.getContext("2d");
    const id = ctx.createImageData(31, 17);
    id.data.set(img.data);
    ctx.putImageData(id, 0, 0);
    const back = decodePng(canvas.toBuffer("image/png"));
    assert.deepEqual(Buffer.from(back.data), Buffer.from(img.data));
  });

  it("says what is wrong with bytes that are not a PNG", () => {
    throwsDeepViz(() => decodePng(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])), /not a PNG/);
    throwsDeepViz(() => encodePng({ width: 2, height: 2, data: new Uint8ClampedArray(3) }), /expected 16/);
  });
});
