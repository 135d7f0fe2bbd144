/**
 * The widget kit's browser views and the Node renderer draw the same colours: the browser code
 * (widgets/frontend/src/map-pixels.ts), bundled by esbuild for the browser as build.mjs does, gives the
 * same RGBA bytes as `dv.render.attribution(..., { view: "heatmap" })` for every colormap.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { buildSync } from "esbuild";
import * as path from "path";
import { backend } from "../../src";
import * as render from "../../src/render";
import { colormap, COLORMAP_NAMES } from "../../src/render";

type MapPixels = typeof import("../../widgets/frontend/src/map-pixels");

/** map-pixels.ts as the browser gets it: one esbuild bundle, run without Node's require. */
function browserBundle(): MapPixels {
  const out = buildSync({
    entryPoints: [path.join(__dirname, "..", "..", "widgets", "frontend", "src", "map-pixels.ts")],
    bundle: true,
    platform: "browser",
    format: "cjs",
    target: "es2020",
    write: false,
    logLevel: "silent",
  });
  const module = { exports: {} as MapPixels };
  const noRequire = (name: string) => {
    throw new Error(`the browser bundle asked for ${name}`);
  };
  new Function("module", "exports", "require", out.outputFiles[0].text)(module, module.exports, noRequire);
  return module.exports;
}

function seededMap(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 7 - 2.5; // signed, off-centre
  }
  return out;
}

describe("render: browser views and the Node renderer share their colours", () => {
  before(async () => {
    await backend();
  });
  const browser = browserBundle();
  const [h, w] = [13, 17];
  const map = seededMap(h * w, 3);

  it("offers exactly the library's colormaps", () => {
    assert.deepEqual(browser.COLORMAP_NAMES, COLORMAP_NAMES);
  });

  for (const name of COLORMAP_NAMES) {
    it(`${name}: the Heatmap view's bytes equal dv.render's heatmap over the same range`, () => {
      for (const signed of [false, true]) {
        const layer = browser.heatmapLayer(map, w, h, { colormap: name, signed, vmin: null, vmax: null, threshold: 0 });
        const values = tf.tensor2d(map, [h, w]);
        const pic = render.attribution(values, {
          view: "heatmap",
          sign: "all",
          normalize: "range",
          range: layer.range,
          cmap: name,
        });
        values.dispose();
        assert.equal(pic.width, w);
        assert.deepEqual(Buffer.from(layer.rgba), Buffer.from(pic.data), `${name}, signed ${signed}`);
      }
    });
  }

  it("the range is [min, max], or ±max|v| when signed, and vmin/vmax override it", () => {
    const lo = map.reduce((a, v) => Math.min(a, v), Infinity);
    const hi = map.reduce((a, v) => Math.max(a, v), -Infinity);
    assert.deepEqual(
      browser.heatmapLayer(map, w, h, { colormap: "jet", signed: false, vmin: null, vmax: null, threshold: 0 }).range,
      [lo, hi],
    );
    const m = Math.max(-lo, hi);
    assert.deepEqual(
      browser.heatmapLayer(map, w, h, { colormap: "jet", signed: true, vmin: null, vmax: null, threshold: 0 }).range,
      [-m, m],
    );
    const fixed = browser.heatmapLayer(map, w, h, { colormap: "jet", signed: false, vmin: 0, vmax: 1, threshold: 0 });
    assert.deepEqual(fixed.range, [0, 1]);
    // clipped outside the range: a value above 1 gets jet's last colour, one below 0 its first
    const above = map.findIndex((v) => v > 1);
    const below = map.findIndex((v) => v < 0);
    assert.deepEqual(Array.from(fixed.rgba.slice(above * 4, above * 4 + 4)), [...colormap("jet").rgb(1), 255]);
    assert.deepEqual(Array.from(fixed.rgba.slice(below * 4, below * 4 + 4)), [...colormap("jet").rgb(0), 255]);
  });

  it("the threshold hides weak cells: below it alpha is 0, at or above 255", () => {
    const ramp = Float32Array.from({ length: 11 }, (_, i) => i / 10);
    const { rgba } = browser.heatmapLayer(ramp, 11, 1, {
      colormap: "gray",
      signed: false,
      vmin: null,
      vmax: null,
      threshold: 0.45,
    });
    const alpha = Array.from({ length: 11 }, (_, i) => rgba[i * 4 + 3]);
    assert.deepEqual(alpha, [0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255]);
  });
});
