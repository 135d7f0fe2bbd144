import { fail } from "../errors";

/**
 * Colormaps with matplotlib's meaning, so that pictures match what users of Captum and tf-keras-vis see.
 * The one home of colormaps: the Node renderer and the widget kit's browser views (bundled from this file)
 * both draw with these tables, so it must stay free of Node and tfjs.
 * Listed maps (viridis, inferno, magma) pick one of 256 colours as matplotlib does (index = floor(t·256),
 * the last colour for t = 1). Segmented maps interpolate linearly between anchors, so every anchor colour
 * is exact at its position.
 */
export type ColormapName =
  "viridis" | "inferno" | "magma" | "jet" | "gray" | "blues" | "greens" | "reds" | "redWhiteGreen" | "RdBu" | "bwr" | "hot";

export const COLORMAP_NAMES: ColormapName[] = [
  "viridis",
  "inferno",
  "magma",
  "jet",
  "gray",
  "blues",
  "greens",
  "reds",
  "redWhiteGreen",
  "RdBu",
  "bwr",
  "hot",
];

/** A colormap: `t` in [0, 1] (clipped) to RGB bytes written at out[offset..offset+2]. */
export interface Colormap {
  readonly name: ColormapName;
  write(t: number, out: Uint8ClampedArray | Uint8Array, offset: number): void;
  rgb(t: number): [number, number, number];
  /**
   * For bulk drawing: RGB bytes of t = i / LUT_STEPS at 3·i (LUT_STEPS + 1 entries). Indexing with
   * round(t · LUT_STEPS) is off from the exact colour by far less than one byte step.
   */
  lut(): Uint8Array;
}

export const LUT_STEPS = 65536;

/** Anchors of one channel: [position, value] pairs, positions rising from 0 to 1, values in [0, 1]. */
type Channel = Array<[number, number]>;

function hexToUnit(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

/** Evenly spaced colours, interpolated linearly (matplotlib's LinearSegmentedColormap.from_list). */
function evenly(colors: string[]): [Channel, Channel, Channel] {
  const units = colors.map(hexToUnit);
  const at = (c: number): Channel => units.map((u, i) => [i / (units.length - 1), u[c]]);
  return [at(0), at(1), at(2)];
}

// ColorBrewer sequential (9 classes) and diverging (11 classes) schemes, as matplotlib uses them.
const BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"];
const GREENS = ["#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b"];
const REDS = ["#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d"];
const RDBU = [
  "#67001f",
  "#b2182b",
  "#d6604d",
  "#f4a582",
  "#fddbc7",
  "#f7f7f7",
  "#d1e5f0",
  "#92c5de",
  "#4393c3",
  "#2166ac",
  "#053061",
];

// matplotlib's jet: each channel has its own anchors.
const JET: [Channel, Channel, Channel] = [
  [
    [0, 0],
    [0.35, 0],
    [0.66, 1],
    [0.89, 1],
    [1, 0.5],
  ],
  [
    [0, 0],
    [0.125, 0],
    [0.375, 1],
    [0.64, 1],
    [0.91, 0],
    [1, 0],
  ],
  [
    [0, 0.5],
    [0.11, 1],
    [0.34, 1],
    [0.65, 0],
    [1, 0],
  ],
];

// matplotlib's hot: black → red → yellow → white, each channel ramping in turn.
const HOT: [Channel, Channel, Channel] = [
  [
    [0, 0.0416],
    [0.365079, 1],
    [1, 1],
  ],
  [
    [0, 0],
    [0.365079, 0],
    [0.746032, 1],
    [1, 1],
  ],
  [
    [0, 0],
    [0.746032, 0],
    [1, 1],
  ],
];

// matplotlib's 256-entry tables, shipped by scale-color-perceptual (named one by one so bundlers see them).
const LISTED: Record<"viridis" | "inferno" | "magma", () => number[][]> = {
  viridis: () => require("scale-color-perceptual/rgb/viridis.json"),
  inferno: () => require("scale-color-perceptual/rgb/inferno.json"),
  magma: () => require("scale-color-perceptual/rgb/magma.json"),
};

function clip01(t: number): number {
  return t > 0 ? (t < 1 ? t : 1) : 0; // NaN goes to 0
}

function channelAt(ch: Channel, t: number): number {
  let i = 1;
  while (i < ch.length - 1 && ch[i][0] < t) i++;
  const [p0, v0] = ch[i - 1];
  const [p1, v1] = ch[i];
  const f = p1 > p0 ? (t - p0) / (p1 - p0) : 0;
  return v0 + (v1 - v0) * (f < 0 ? 0 : f > 1 ? 1 : f);
}

function segmented(name: ColormapName, channels: [Channel, Channel, Channel]): Colormap {
  const [r, g, b] = channels;
  const write = (t: number, out: Uint8ClampedArray | Uint8Array, o: number) => {
    const x = clip01(t);
    out[o] = Math.round(channelAt(r, x) * 255);
    out[o + 1] = Math.round(channelAt(g, x) * 255);
    out[o + 2] = Math.round(channelAt(b, x) * 255);
  };
  return withRgb(name, write);
}

function listed(name: ColormapName, table: number[][]): Colormap {
  const bytes = new Uint8Array(table.length * 3);
  table.forEach((c, i) => c.forEach((v, k) => (bytes[i * 3 + k] = Math.round(v * 255))));
  const n = table.length;
  const write = (t: number, out: Uint8ClampedArray | Uint8Array, o: number) => {
    const i = Math.min(n - 1, Math.floor(clip01(t) * n)) * 3;
    out[o] = bytes[i];
    out[o + 1] = bytes[i + 1];
    out[o + 2] = bytes[i + 2];
  };
  return withRgb(name, write);
}

function withRgb(name: ColormapName, write: Colormap["write"]): Colormap {
  let table: Uint8Array | null = null;
  return {
    name,
    write,
    lut() {
      if (!table) {
        table = new Uint8Array((LUT_STEPS + 1) * 3);
        for (let i = 0; i <= LUT_STEPS; i++) write(i / LUT_STEPS, table, i * 3);
      }
      return table;
    },
    rgb(t: number) {
      const out = new Uint8Array(3);
      write(t, out, 0);
      return [out[0], out[1], out[2]];
    },
  };
}

const cache = new Map<ColormapName, Colormap>();

function build(name: ColormapName): Colormap {
  switch (name) {
    case "viridis":
    case "inferno":
    case "magma":
      return listed(name, LISTED[name]());
    case "jet":
      return segmented(name, JET);
    case "gray":
      return segmented(name, [
        [
          [0, 0],
          [1, 1],
        ],
        [
          [0, 0],
          [1, 1],
        ],
        [
          [0, 0],
          [1, 1],
        ],
      ]);
    case "blues":
      return segmented(name, evenly(BLUES));
    case "greens":
      return segmented(name, evenly(GREENS));
    case "reds":
      return segmented(name, evenly(REDS));
    case "redWhiteGreen":
      // matplotlib's named colours: "red" (1,0,0), "white", "green" (0,128/255,0), as Captum's RdWhGn
      return segmented(name, evenly(["#ff0000", "#ffffff", "#008000"]));
    case "RdBu":
      return segmented(name, evenly(RDBU));
    case "bwr":
      return segmented(name, evenly(["#0000ff", "#ffffff", "#ff0000"]));
    case "hot":
      return segmented(name, HOT);
  }
}

const ALIASES: Record<string, ColormapName> = {
  grey: "gray",
  greys: "gray",
  rdwhgn: "redWhiteGreen",
  redwhitegreen: "redWhiteGreen",
  rdbu: "RdBu",
};

/** The colormap called `name` (case-insensitive; "grey" and "RdWhGn" also work). */
export function colormap(name: ColormapName | string | Colormap): Colormap {
  if (typeof name === "object") return name;
  const key = (COLORMAP_NAMES.find((n) => n.toLowerCase() === String(name).toLowerCase()) ??
    ALIASES[String(name).toLowerCase()]) as ColormapName | undefined;
  if (!key) fail(`Unknown colormap "${name}". Use one of: ${COLORMAP_NAMES.join(", ")}.`);
  let cmap = cache.get(key);
  if (!cmap) cache.set(key, (cmap = build(key)));
  return cmap;
}
