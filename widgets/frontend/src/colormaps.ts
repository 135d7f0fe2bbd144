/**
 * Colormaps as evenly spaced anchor colors, interpolated linearly. `lut` gives 256 RGB entries so
 * that a whole map recolors with one table lookup per pixel.
 */
const anchors: Record<string, string[]> = {
  viridis: ["440154", "482878", "3e4989", "31688e", "26828e", "1f9e89", "35b779", "6ece58", "b5de2b", "fde725"],
  inferno: ["000004", "1b0c41", "4a0c6b", "781c6d", "a52c60", "cf4446", "ed6925", "fb9b06", "f7d13d", "fcffa4"],
  magma: ["000004", "180f3d", "440f76", "721f81", "9e2f7f", "cd4071", "f1605d", "fd9668", "feca8d", "fcfdbf"],
  jet: ["00007f", "0000ff", "007fff", "00ffff", "7fff7f", "ffff00", "ff7f00", "ff0000", "7f0000"],
  gray: ["000000", "ffffff"],
  bwr: ["0000ff", "ffffff", "ff0000"],
  hot: ["0b0000", "ff0000", "ffff00", "ffffff"],
};

export const COLORMAPS = Object.keys(anchors);
const cache = new Map<string, Uint8Array>();

export function lut(name: string): Uint8Array {
  const key = anchors[name] ? name : "viridis";
  const hit = cache.get(key);
  if (hit) return hit;
  const rgb = anchors[key].map((h) => [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)));
  const table = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (rgb.length - 1);
    const j = Math.min(Math.floor(t), rgb.length - 2);
    const f = t - j;
    for (let c = 0; c < 3; c++) table[i * 3 + c] = Math.round(rgb[j][c] * (1 - f) + rgb[j + 1][c] * f);
  }
  cache.set(key, table);
  return table;
}
