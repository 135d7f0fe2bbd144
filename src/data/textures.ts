import { Random } from "../core/random";

/** Background textures of the shapes data set; the biased variant ties one to each class. */
export const TEXTURES = ["stripes", "checker", "dots", "grid", "noise", "waves", "diagonal", "plain"] as const;
export type TextureName = (typeof TEXTURES)[number];

export type RGB = [number, number, number];

/** HSV (all in [0, 1]) to RGB. */
export function hsv(h: number, s: number, v: number): RGB {
  const i = Math.floor(h * 6) % 6;
  const f = h * 6 - Math.floor(h * 6);
  const p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
  return ([[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]] as RGB[])[i];
}

/** Muted colours for backgrounds, so that the saturated objects stand out on any of them. */
function mutedColour(rng: Random): RGB {
  return hsv(rng.next(), rng.uniform(0, 0.35), rng.uniform(0.15, 0.75));
}

/** Mixing weight in [0, 1] of the second colour at pixel (x, y) for one texture. */
function pattern(name: TextureName, rng: Random): (x: number, y: number) => number {
  const period = rng.uniform(4, 9);
  const phase = rng.uniform(0, period);
  const angle = rng.uniform(0, Math.PI);
  const c = Math.cos(angle), s = Math.sin(angle);
  switch (name) {
    case "stripes": // straight bands at a random angle
      return (x, y) => (((x * c + y * s + phase) % period) + period) % period < period / 2 ? 1 : 0;
    case "diagonal": // thin lines at ±45°, crossing
      return (x, y) => ((x + y + Math.round(phase)) % Math.round(period) === 0 || (x - y + 1000) % Math.round(period) === 0 ? 1 : 0);
    case "checker": {
      const p = Math.round(period);
      return (x, y) => (Math.floor((x + phase) / p) + Math.floor((y + phase) / p)) % 2;
    }
    case "dots": {
      const p = Math.round(period) + 2;
      return (x, y) => {
        const dx = ((x + Math.round(phase)) % p) - p / 2, dy = ((y + Math.round(phase)) % p) - p / 2;
        return dx * dx + dy * dy <= (p / 3.2) ** 2 ? 1 : 0;
      };
    }
    case "grid": {
      const p = Math.round(period) + 2;
      return (x, y) => ((x + Math.round(phase)) % p === 0 || (y + Math.round(phase)) % p === 0 ? 1 : 0);
    }
    case "noise": // independent pixels: fine-grained, no orientation
      return () => (rng.next() < 0.5 ? 1 : 0);
    case "waves":
      return (x, y) => 0.5 + 0.5 * Math.sin((x * c + y * s) / (period / 6) + 3 * Math.sin((x * s - y * c) / (period * 1.5)));
    case "plain":
      return () => 0;
  }
}

/** Paints `name` over the whole HWC image. */
export function paintTexture(pixels: Float32Array, size: number, name: TextureName, rng: Random): void {
  // two muted colours a visible but modest step apart: the texture must show, the objects must dominate
  const a = mutedColour(rng);
  const step = rng.uniform(0.12, 0.25) * (a[0] + a[1] + a[2] > 1.2 ? -1 : 1);
  const tint = hsv(rng.next(), 0.5, 1);
  const b = a.map((v, k) => Math.min(1, Math.max(0, v + step + 0.08 * (tint[k] - 0.5)))) as RGB;
  const weight = pattern(name, rng);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const w = weight(x, y);
      const o = (y * size + x) * 3;
      for (let k = 0; k < 3; k++) pixels[o + k] = a[k] * (1 - w) + b[k] * w;
    }
  }
}
