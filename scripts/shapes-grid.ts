/**
 * Writes a picture of generated shapes scenes (for the model cards, and to check the generator by eye):
 * row groups of unbiased scenes, biased scenes and two-object scenes, each scene drawn with its class
 * names and the outline of its ground-truth masks in a copy to its right.
 *   npx tsx scripts/shapes-grid.ts [out.png]
 */
import { writeFileSync } from "fs";
import { createCanvas } from "@napi-rs/canvas";
import { shapeScenes } from "../src/data/shapes-dataset";
import { ShapeScene } from "../src/data/shapes";

const out = process.argv[2] ?? "models/shapes-samples.png";
const scale = 2,
  pad = 6,
  label = 14,
  perRow = 4;
const groups: Array<[string, ShapeScene[]]> = [
  ["unbiased (seed 1)", shapeScenes({ n: 8, seed: 1 }, 1)],
  ["biased: class <-> texture (seed 2)", shapeScenes({ n: 8, seed: 2, biased: true }, 1)],
  ["two objects (seed 3)", shapeScenes({ n: 8, seed: 3 }, 2)],
];
const size = groups[0][1][0].size * scale;
const cellW = 2 * size + pad * 3,
  cellH = size + label + pad;
const rows = groups.reduce((s, [, scenes]) => s + Math.ceil(scenes.length / perRow), 0);
const canvas = createCanvas(perRow * cellW, rows * cellH + groups.length * 18);
const ctx = canvas.getContext("2d");
ctx.fillStyle = "white";
ctx.fillRect(0, 0, canvas.width, canvas.height);

function drawPixels(scene: ShapeScene, x0: number, y0: number, withMasks: boolean) {
  const n = scene.size;
  const img = ctx.createImageData(n * scale, n * scale);
  for (let y = 0; y < n * scale; y++)
    for (let x = 0; x < n * scale; x++) {
      const p = Math.floor(y / scale) * n + Math.floor(x / scale);
      const o = (y * n * scale + x) * 4;
      for (let k = 0; k < 3; k++) img.data[o + k] = Math.round(scene.pixels[p * 3 + k] * 255);
      img.data[o + 3] = 255;
      if (!withMasks) continue;
      // masks shown as white (object 0) / black (object 1) fill on grey, boxes in red
      const owner = scene.objects.findIndex((ob) => ob.mask[p]);
      const v = owner === 0 ? 255 : owner === 1 ? 0 : 128;
      img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
    }
  ctx.putImageData(img, x0, y0);
  if (withMasks) {
    ctx.strokeStyle = "red";
    for (const ob of scene.objects) {
      const [t, l, b, r] = ob.box;
      ctx.strokeRect(x0 + l * scale + 0.5, y0 + t * scale + 0.5, (r - l) * scale - 1, (b - t) * scale - 1);
    }
  }
}

let y = 0;
ctx.font = "12px sans-serif";
for (const [title, scenes] of groups) {
  ctx.fillStyle = "black";
  ctx.fillText(title, 4, y + 13);
  y += 18;
  scenes.forEach((scene, i) => {
    const x0 = (i % perRow) * cellW + pad,
      y0 = y + Math.floor(i / perRow) * cellH;
    drawPixels(scene, x0, y0, false);
    drawPixels(scene, x0 + size + pad, y0, true);
    ctx.fillStyle = "black";
    ctx.fillText(`${scene.objects.map((o) => o.className).join(" + ")} / ${scene.texture}`, x0, y0 + size + 12);
  });
  y += Math.ceil(scenes.length / perRow) * cellH;
}
writeFileSync(out, canvas.toBuffer("image/png"));
console.log(`wrote ${out}`);
