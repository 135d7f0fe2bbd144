import { strict as assert } from "assert";
import { colormap, COLORMAP_NAMES } from "../../src/render";
import { throwsDeepViz } from "./helpers";

describe("render/colormaps", () => {
  it("viridis, inferno and magma end on matplotlib's first and last colours", () => {
    assert.deepEqual(colormap("viridis").rgb(0), [0x44, 0x01, 0x54]);
    assert.deepEqual(colormap("viridis").rgb(1), [0xfd, 0xe7, 0x25]);
    assert.deepEqual(colormap("inferno").rgb(0), [0x00, 0x00, 0x04]);
    assert.deepEqual(colormap("inferno").rgb(1), [0xfc, 0xff, 0xa4]);
    assert.deepEqual(colormap("magma").rgb(0), [0x00, 0x00, 0x04]);
    assert.deepEqual(colormap("magma").rgb(1), [0xfc, 0xfd, 0xbf]);
  });

  it("listed maps pick entry floor(t*256) as matplotlib does", () => {
    // viridis entry 128 = (0.127568, 0.566949, 0.550556); t = 0.5 → index 128
    assert.deepEqual(colormap("viridis").rgb(0.5), [33, 145, 140]);
    // t just below 0.5 → index 127 = (0.128729, 0.563265, 0.551229)
    assert.deepEqual(colormap("viridis").rgb(0.499), [33, 144, 141]);
  });

  it("ColorBrewer maps hit their anchors exactly", () => {
    assert.deepEqual(colormap("blues").rgb(0), [0xf7, 0xfb, 0xff]);
    assert.deepEqual(colormap("blues").rgb(1), [0x08, 0x30, 0x6b]);
    assert.deepEqual(colormap("blues").rgb(0.5), [0x6b, 0xae, 0xd6]); // 5th of 9
    assert.deepEqual(colormap("greens").rgb(1), [0x00, 0x44, 0x1b]);
    assert.deepEqual(colormap("reds").rgb(1), [0x67, 0x00, 0x0d]);
    assert.deepEqual(colormap("reds").rgb(0.125), [0xfe, 0xe0, 0xd2]); // 2nd of 9
    assert.deepEqual(colormap("RdBu").rgb(0), [0x67, 0x00, 0x1f]);
    assert.deepEqual(colormap("RdBu").rgb(0.5), [0xf7, 0xf7, 0xf7]);
    assert.deepEqual(colormap("RdBu").rgb(1), [0x05, 0x30, 0x61]);
  });

  it("interpolates linearly between anchors", () => {
    // halfway between blues anchors 0 (#f7fbff) and 1/8 (#deebf7)
    assert.deepEqual(colormap("blues").rgb(1 / 16), [
      Math.round((0xf7 + 0xde) / 2),
      Math.round((0xfb + 0xeb) / 2),
      Math.round((0xff + 0xf7) / 2),
    ]);
    assert.deepEqual(colormap("gray").rgb(0.25), [64, 64, 64]);
  });

  it("red–white–green is Captum's RdWhGn: red, white, matplotlib green", () => {
    const m = colormap("redWhiteGreen");
    assert.deepEqual(m.rgb(0), [255, 0, 0]);
    assert.deepEqual(m.rgb(0.5), [255, 255, 255]);
    assert.deepEqual(m.rgb(1), [0, 128, 0]);
    assert.deepEqual(m.rgb(0.25), [255, 128, 128]);
  });

  it("jet follows matplotlib's segment data", () => {
    const m = colormap("jet");
    assert.deepEqual(m.rgb(0), [0, 0, 128]);
    assert.deepEqual(m.rgb(0.11), [0, 0, 255]); // blue peaks at 0.11, green starts at 0.125
    assert.deepEqual(m.rgb(0.5), [Math.round(((0.5 - 0.35) / 0.31) * 255), 255, Math.round((1 - (0.5 - 0.34) / 0.31) * 255)]);
    assert.deepEqual(m.rgb(1), [128, 0, 0]);
  });

  it("bwr and hot follow matplotlib's segment data", () => {
    const bwr = colormap("bwr");
    assert.deepEqual(bwr.rgb(0), [0, 0, 255]);
    assert.deepEqual(bwr.rgb(0.25), [128, 128, 255]);
    assert.deepEqual(bwr.rgb(0.5), [255, 255, 255]);
    assert.deepEqual(bwr.rgb(1), [255, 0, 0]);
    const hot = colormap("hot"); // red ramps 0.0416→1 until 0.365079, green until 0.746032, then blue
    assert.deepEqual(hot.rgb(0), [Math.round(0.0416 * 255), 0, 0]);
    assert.deepEqual(hot.rgb(0.365079), [255, 0, 0]);
    assert.deepEqual(hot.rgb(0.5), [255, Math.round(((0.5 - 0.365079) / (0.746032 - 0.365079)) * 255), 0]);
    assert.deepEqual(hot.rgb(0.746032), [255, 255, 0]);
    assert.deepEqual(hot.rgb(1), [255, 255, 255]);
  });

  it("clips outside [0, 1] and accepts aliases; unknown names are a DeepVizError", () => {
    assert.deepEqual(colormap("gray").rgb(-3), [0, 0, 0]);
    assert.deepEqual(colormap("grey").rgb(7), [255, 255, 255]);
    assert.equal(colormap("RdWhGn").name, "redWhiteGreen");
    assert.equal(COLORMAP_NAMES.length, 12);
    throwsDeepViz(() => colormap("rainbow"), /Unknown colormap "rainbow".*viridis/);
  });
});
