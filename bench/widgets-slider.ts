/**
 * Benchmark: slider move → new image drawn in the page, through the real stack (Chromium, html-manager
 * page, Debian's Jupyter server, DeepViz kernel). Each sample: a key press on a slider handle in the
 * page, until the heatmap canvas reports its next draw (times taken in the page, one clock).
 *   channel slider: the kernel slices the cached feature map and sends it (the common case);
 *   layer slider:   the kernel may recompute the layer's activations (first visit) before sending.
 * Goal: median ≤ 100 ms, p95 ≤ 250 ms. Usage: npx tsx bench/widgets-slider.ts [samples] (or through npm run bench)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LAYER_EXPLORER, ZOO_SETUP } from "../test/widgets/e2e/cells";
import { OUT, startE2E } from "../test/widgets/e2e/harness";

const HEATMAP = ".cell[data-index='1'] .deepviz-heatmap canvas";

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median: q(0.5), p95: q(0.95), min: s[0], max: s[s.length - 1] };
}

export async function main(samples = 40): Promise<void> {
  const e = await startE2E({ log: (s) => console.error(`[bench] ${s}`) });
  try {
    if ((await e.run(ZOO_SETUP)).status !== "ok") throw new Error("setup cell failed");
    if ((await e.run(LAYER_EXPLORER)).status !== "ok") throw new Error("layer explorer cell failed");
    await e.page.waitForFunction((s) => Number((document.querySelector(s) as HTMLElement)?.dataset.draws ?? 0) > 0, HEATMAP);
    // Page-side clock: key press time, and the time of each heatmap draw.
    await e.page.evaluate(`(() => {
      window.__bench = { key: 0, draws: [] };
      document.addEventListener("keydown", () => { window.__bench.key = performance.now(); }, true);
      document.querySelector(${JSON.stringify(HEATMAP)}).addEventListener("deepviz:drawn", (ev) => window.__bench.draws.push(ev.detail.time));
    })()`);
    const handles = e.page.locator(".cell[data-index='1'] .widget-hslider .noUi-handle");
    const measure = async (which: number, key: string): Promise<number> => {
      const before = (await e.page.evaluate("window.__bench.draws.length")) as number;
      await handles.nth(which).focus();
      await e.page.keyboard.press(key);
      await e.page.waitForFunction(`window.__bench.draws.length > ${before}`, undefined, { timeout: 30_000 });
      const ms = (await e.page.evaluate(`window.__bench.draws[${before}] - window.__bench.key`)) as number;
      await e.page.waitForTimeout(30); // let the echo and the grid update settle
      return ms;
    };
    const channel: number[] = [];
    for (let i = 0; i < samples; i++) channel.push(await measure(1, i % 14 < 7 ? "ArrowRight" : "ArrowLeft"));
    const layerFirst: number[] = [];
    const layerCached: number[] = [];
    const layers = Number((await e.run("ex.layers.length")).text.join("").trim());
    for (let i = 0; i < layers - 1; i++) layerFirst.push(await measure(0, "ArrowRight"));
    for (let i = 0; i < samples; i++)
      layerCached.push(await measure(0, Math.floor(i / (layers - 1)) % 2 === 0 ? "ArrowLeft" : "ArrowRight"));
    const result = {
      model: "zoo shapes_cnn (64×64×3, 6 conv layers, GAP), heatmap 256 px",
      channelSlider: stats(channel),
      layerSliderFirstVisit: stats(layerFirst),
      layerSliderCached: stats(layerCached),
      goal: { median: 100, p95: 250 },
    };
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, "bench-slider.json"), JSON.stringify(result, null, 2));
    await e.screenshot("bench-final");
    const row = (name: string, s: ReturnType<typeof stats>) =>
      `${name.padEnd(26)} n=${String(s.n).padStart(3)}  median ${s.median.toFixed(1).padStart(6)} ms  p95 ${s.p95.toFixed(1).padStart(6)} ms  max ${s.max.toFixed(1)} ms`;
    console.log("slider move → image drawn (page clock)");
    console.log(row("channel slider", result.channelSlider));
    console.log(row("layer slider, first visit", result.layerSliderFirstVisit));
    console.log(row("layer slider, cached", result.layerSliderCached));
  } finally {
    await e.stop();
  }
}

if (require.main === module) {
  main(Number(process.argv[2] ?? 40)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
