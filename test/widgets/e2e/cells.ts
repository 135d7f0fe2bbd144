/** Cell sources for the end-to-end test and the benchmark (TypeScript run by the DeepViz kernel). */

/** A small seeded CNN on 32×32×3 and a synthetic image: rings and stripes in three colors. */
export const SETUP = `
import * as dv from "deepviz";
import * as tf from "@tensorflow/tfjs";
const w = dv.widgets;
await dv.backend();
function smallModel(): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init(1), name: "conv1" }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: "pool1" }));
  m.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init(2), name: "conv2" }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: "pool2" }));
  m.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init(3), name: "conv3" }));
  m.add(tf.layers.globalAveragePooling2d({ name: "gap" }));
  m.add(tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: init(4), name: "probs" }));
  return m;
}
const model = smallModel();
const image = tf.tidy(() => {
  const v: number[] = [];
  for (let y = 0; y < 32; y++)
    for (let x = 0; x < 32; x++) {
      const r = Math.hypot(x - 16, y - 12);
      v.push(0.5 + 0.5 * Math.sin(r / 2), x / 31, (y % 8) < 4 ? 0.9 : 0.1);
    }
  return tf.tensor3d(v, [32, 32, 3]);
});
"ready"
`;

export const LAYER_EXPLORER = `
const ex = await dv.layerExplorer(model, image, { size: 256 });
const clicks: unknown[] = [];
ex.heatmap.onClick((c) => { clicks.push(c); ex.info.value = "clicked " + c.x + "," + c.y; });
ex
`;

export const STANDARD_CONTROLS = `
import { createCanvas } from "@napi-rs/canvas";
const pngCanvas = createCanvas(32, 32);
const g = pngCanvas.getContext("2d");
g.fillStyle = "#c00"; g.fillRect(0, 0, 32, 32); g.fillStyle = "#0a0"; g.fillRect(8, 8, 16, 16);
const png = new Uint8Array(pngCanvas.toBuffer("image/png"));
const pressed = { n: 0 };
const label = new w.Label({ value: "not pressed" });
const button = new w.Button({ description: "press me", button_style: "primary" });
button.onClick(() => { pressed.n++; label.value = "pressed " + pressed.n; });
const out = new w.Output();
out.append("inside the output widget");
const progress = new w.IntProgress({ value: 40, description: "progress" });
const intSlider = new w.IntSlider({ value: 40, description: "int" });
w.jslink([intSlider, "value"], [progress, "value"]);
const controls = new w.VBox([
  new w.HBox([intSlider, new w.FloatSlider({ value: 0.25, max: 1, step: 0.05, description: "float" })]),
  new w.Dropdown({ options: ["alpha", "beta"], value: "beta", description: "dropdown" }),
  new w.ToggleButtons({ options: ["one", "two", "three"], description: "toggle" }),
  new w.Checkbox({ value: true, description: "check" }),
  new w.HBox([button, label]),
  new w.Play({ max: 5, description: "play" }),
  new w.Text({ value: "some text", description: "text" }),
  new w.HTML({ value: "<b class='bold-html'>bold html</b>" }),
  new w.Image({ value: png, format: "png", width: "64" }),
  out,
  progress,
]);
controls
`;

export const SCATTER = `
const n = 12;
const pts = new Float32Array(2 * n);
const thumbs = new Uint8Array(n * 8 * 8);
for (let i = 0; i < n; i++) {
  pts[2 * i] = Math.cos(i / 2) * (1 + i / 6);
  pts[2 * i + 1] = Math.sin(i / 2) * (1 + i / 6);
  for (let p = 0; p < 64; p++) thumbs[i * 64 + p] = (p % 8 === i % 8) ? 255 : 20 * (i % 5);
}
const scatter = new w.Scatter({ points: pts, labels: Int32Array.from({ length: n }, (_, i) => i % 3), label_names: ["zero", "one", "two"], thumbnails: thumbs, thumb_width: 8, thumb_height: 8, title: "embedding" });
scatter
`;

export const ATTRIBUTION_EXPLORER = `
const ax = await dv.attributionExplorer(model, image, { size: 192 });
ax
`;

export const NEURON_PICKER = `
const np = await dv.neuronPicker(model, image, { layer: "conv2", size: 192 });
np
`;

/** The zoo's small CAM model (shapes_cnn, 64×64×3) on a generated scene: what the benchmark measures. */
export const ZOO_SETUP = `
import * as dv from "deepviz";
import * as tf from "@tensorflow/tfjs";
const w = dv.widgets;
await dv.backend();
const { model } = await dv.zoo.load("shapes_cnn");
const scene = dv.data.shapes({ n: 1, seed: 3 });
const image = tf.tidy(() => scene.images.squeeze([0]));
scene.dispose();
"ready"
`;
