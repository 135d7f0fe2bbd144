/**
 * End to end in a real browser: Debian's Jupyter server runs the DeepViz kernel; a page built from
 * @jupyterlab/services and @jupyter-widgets/html-manager (with the kit's AMD bundle served locally)
 * renders the widgets in Chromium. Screenshots go to test-output/widgets/screenshots/.
 */
import { strict as assert } from "node:assert";
import { ATTRIBUTION_EXPLORER, LAYER_EXPLORER, NEURON_PICKER, SCATTER, SETUP, STANDARD_CONTROLS } from "./e2e/cells";
import { canvasPixels, changedFraction, E2E, startE2E } from "./e2e/harness";

const HEATMAP = ".cell[data-index='1'] .deepviz-heatmap canvas";

describe("widgets: end to end (Jupyter server + DeepViz kernel + Chromium)", function () {
  this.timeout(240_000);
  let e: E2E;
  before(async () => {
    e = await startE2E({ log: (s) => process.env.DEEPVIZ_E2E_LOG && console.log(`    [e2e] ${s}`) });
    const setup = await e.run(SETUP);
    assert.equal(setup.status, "ok", setup.text.join("\n"));
  });
  after(async () => {
    await e?.stop();
  });

  const draws = (sel: string) =>
    e.page.evaluate((s) => Number((document.querySelector(s) as HTMLElement)?.dataset.draws ?? 0), sel);
  const waitDraws = (sel: string, above: number) =>
    e.page.waitForFunction(
      ([s, n]) => Number((document.querySelector(s as string) as HTMLElement)?.dataset.draws ?? 0) > (n as number),
      [sel, above] as const,
      { timeout: 30_000 },
    );
  const value = async (expr: string) => {
    const r = await e.run(expr);
    assert.equal(r.status, "ok", r.text.join("\n"));
    return r.text.join("").trim();
  };

  it("shows a layer explorer; moving the layer slider changes the image; a heatmap click reaches the kernel", async () => {
    const r = await e.run(LAYER_EXPLORER);
    assert.equal(r.status, "ok", r.text.join("\n"));
    assert.equal(r.widgets, 1);
    await waitDraws(HEATMAP, 0);
    await e.page.waitForFunction((s) => {
      const c = document.querySelector(s) as HTMLCanvasElement;
      return c.width === 256 && c.height === 256;
    }, HEATMAP);
    const before = await canvasPixels(e.page, HEATMAP);
    await e.screenshot("1-layer-explorer");
    assert.ok(new Set(before.filter((_, i) => i % 4 === 0)).size > 20, "the heatmap shows a picture, not a flat color");

    // Move the layer slider one step with the keyboard, as a user can.
    const n0 = await draws(HEATMAP);
    await e.page.focus(".cell[data-index='1'] .widget-hslider .noUi-handle");
    await e.page.keyboard.press("ArrowRight");
    await waitDraws(HEATMAP, n0);
    await e.page.waitForFunction(
      () => /pool1 channel/.test(document.querySelector(".cell[data-index='1'] .deepviz-heatmap div")?.textContent ?? ""),
      undefined,
      { timeout: 30_000 },
    );
    const after = await canvasPixels(e.page, HEATMAP);
    await e.screenshot("2-after-layer-slider");
    const changed = changedFraction(before, after);
    assert.ok(changed > 0.05, `the heatmap changed (${(100 * changed).toFixed(1)}% of pixels)`);
    assert.equal(await value("ex.layerSlider.value"), "1");

    // Opacity from the heatmap's own control: redrawn in the page at once, no kernel involved.
    const n1 = await draws(HEATMAP);
    await e.page.evaluate(() => {
      const input = document.querySelector(".cell[data-index='1'] .deepviz-opacity") as HTMLInputElement;
      input.value = "1";
      input.dispatchEvent(new Event("input"));
    });
    assert.equal(await draws(HEATMAP), n1 + 1, "drawn synchronously on input");
    assert.ok(changedFraction(after, await canvasPixels(e.page, HEATMAP)) > 0.05);

    // Click the heatmap: the kernel gets the map cell.
    const mapWidth = Number(await value("ex.heatmap.map_width"));
    const box = (await e.page.locator(HEATMAP).boundingBox())!;
    await e.page.mouse.click(box.x + 200, box.y + 40);
    await e.page.waitForFunction(
      () => /clicked/.test(document.querySelector(".cell[data-index='1']")?.textContent ?? ""),
      undefined,
      { timeout: 15_000 },
    );
    const clicks = JSON.parse(await value("JSON.stringify(clicks)"));
    assert.equal(clicks.length, 1);
    assert.equal(clicks[0].x, Math.floor((200 / box.width) * mapWidth));
    assert.equal(clicks[0].y, Math.floor((40 / box.height) * mapWidth));
    assert.equal(clicks[0].image_x, Math.floor((200 / box.width) * 32));
    assert.equal(typeof clicks[0].value, "number");
    await e.screenshot("3-after-click");

    // A tile click in the feature grid selects that channel in the kernel and redraws the heatmap.
    const n2 = await draws(HEATMAP);
    const grid = (await e.page.locator(".cell[data-index='1'] .deepviz-feature-grid canvas").first().boundingBox())!;
    await e.page.mouse.click(grid.x + 40 * 2 + 20, grid.y + 20); // third tile of the first row (tiles are 40 + 2 px)
    await waitDraws(HEATMAP, n2);
    assert.equal(await value("ex.channelSlider.value"), "2");
  });

  it("renders the standard controls from the kernel; a Button click reaches the kernel", async () => {
    const r = await e.run(STANDARD_CONTROLS);
    assert.equal(r.status, "ok", r.text.join("\n"));
    const cell = ".cell[data-index='" + (await e.page.evaluate(() => document.querySelectorAll(".cell").length - 1)) + "']";
    await e.page.waitForSelector(`${cell} img.widget-image`);
    // A string, so that the test's transpiler adds no helpers the page lacks.
    const counts = (await e.page.evaluate(`(() => {
      const c = ${JSON.stringify(cell)};
      const img = document.querySelector(c + " img.widget-image");
      return {
        sliders: document.querySelectorAll(c + " .widget-hslider").length,
        dropdown: document.querySelector(c + " .widget-dropdown select")?.value,
        toggles: document.querySelectorAll(c + " .widget-toggle-button").length,
        checkbox: document.querySelector(c + " .widget-checkbox input")?.checked,
        buttons: document.querySelectorAll(c + " .widget-button").length,
        play: document.querySelectorAll(c + " .widget-play").length,
        text: document.querySelector(c + " .widget-text input")?.value,
        html: document.querySelectorAll(c + " .bold-html").length,
        imageWidth: img?.naturalWidth,
        output: document.querySelector(c + " .widget-output")?.textContent ?? "",
        progress: document.querySelectorAll(c + " .progress").length,
        errors: document.querySelectorAll(c + " .jupyter-widgets-error-widget").length,
      };
    })()`)) as Record<string, any>;
    await e.screenshot("4-standard-controls");
    assert.equal(counts.sliders, 2);
    assert.equal(counts.dropdown, "beta");
    assert.equal(counts.toggles, 3);
    assert.equal(counts.checkbox, true);
    assert.ok(counts.buttons >= 1);
    assert.equal(counts.play, 1);
    assert.equal(counts.text, "some text");
    assert.equal(counts.html, 1);
    assert.equal(counts.imageWidth, 32);
    assert.match(counts.output, /inside the output widget/);
    assert.equal(counts.progress, 1);
    assert.equal(counts.errors, 0);
    await e.page.click(`${cell} button:has-text("press me")`);
    await e.page.waitForFunction((c) => /pressed 1/.test(document.querySelector(c)?.textContent ?? ""), cell, {
      timeout: 15_000,
    });
    assert.equal(await value("pressed.n"), "1");
  });

  it("plotly scatter: points drawn, hover shows the thumbnail, a selection goes back to the kernel", async () => {
    const r = await e.run(SCATTER);
    assert.equal(r.status, "ok", r.text.join("\n"));
    const sel = ".deepviz-scatter .js-plotly-plot";
    await e.page.waitForSelector(`${sel} .main-svg`);
    assert.equal(await e.page.locator(`${sel} .scatterlayer .point`).count(), 12);
    await e.page.evaluate((s) => (document.querySelector(s) as any).emit("plotly_hover", { points: [{ customdata: 3 }] }), sel);
    const thumb = await e.page.evaluate(() => {
      const c = document.querySelector(".deepviz-scatter canvas") as HTMLCanvasElement;
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      return { point: c.dataset.point, bright: d[(5 * c.width + 3 * 14 + 7) * 4] };
    });
    assert.equal(thumb.point, "3");
    assert.equal(thumb.bright, 255, "column 3 of thumbnail 3 is the bright one");
    await e.page.evaluate(
      (s) => (document.querySelector(s) as any).emit("plotly_selected", { points: [{ customdata: 7 }, { customdata: 2 }] }),
      sel,
    );
    await e.page.waitForTimeout(300);
    assert.equal(await value("JSON.stringify(scatter.selected)"), "[2,7]");
    await e.screenshot("5-scatter");
  });

  const lastCell = async () =>
    `.cell[data-index='${await e.page.evaluate(() => document.querySelectorAll(".cell").length - 1)}']`;

  it("attribution explorer: the opacity slider is jslinked, so the page redraws and the kernel hears of it", async () => {
    const r = await e.run(ATTRIBUTION_EXPLORER);
    assert.equal(r.status, "ok", r.text.join("\n"));
    const cell = await lastCell();
    const canvas = `${cell} .deepviz-heatmap canvas`;
    await waitDraws(canvas, 0);
    await e.page.waitForFunction((c) => /saliency/.test(document.querySelector(c)?.textContent ?? ""), cell);
    const before = await canvasPixels(e.page, canvas);
    const n = await draws(canvas);
    await e.page.focus(`${cell} .widget-hslider .noUi-handle`);
    for (let i = 0; i < 4; i++) await e.page.keyboard.press("ArrowRight");
    await waitDraws(canvas, n);
    assert.ok(changedFraction(before, await canvasPixels(e.page, canvas)) > 0.05, "opacity changed the picture");
    await e.page.waitForTimeout(300);
    assert.equal(await value("ax.heatmap.opacity"), "0.8");
    await e.screenshot("6-attribution-explorer");
  });

  it("neuron picker: a click on the feature map draws that neuron's input gradient", async () => {
    const r = await e.run(NEURON_PICKER);
    assert.equal(r.status, "ok", r.text.join("\n"));
    const cell = await lastCell();
    const maps = `${cell} .deepviz-heatmap canvas`;
    await waitDraws(maps, 0);
    const gradient = (await e.page.locator(maps).nth(1).elementHandle())!;
    const n = await gradient.evaluate((c) => Number((c as HTMLElement).dataset.draws ?? 0));
    await e.page.locator(maps).first().scrollIntoViewIfNeeded();
    const box = (await e.page.locator(maps).first().boundingBox())!;
    await e.page.mouse.click(box.x + box.width * 0.55, box.y + box.height * 0.45);
    await e.page.waitForFunction(
      ([g, k]) =>
        Number((g as HTMLElement).dataset.draws ?? 0) > (k as number) && /gradient in/.test(document.body.textContent ?? ""),
      [gradient, n] as const,
      { timeout: 30_000 },
    );
    const picked = JSON.parse(await value("JSON.stringify(np.position)"));
    assert.deepEqual(picked, { x: Math.floor(0.55 * 16), y: Math.floor(0.45 * 16) });
    assert.ok(Number(await value("np.gradient.map.reduce((a, b) => a + b, 0)")) >= 0);
    await e.screenshot("7-neuron-picker");
  });

  it("a second front end gets every widget at once through the control comm", async () => {
    const reload = await e.page.evaluate(() => (window as any).deepviz.reloadStates());
    assert.ok(reload.models > 30, `${reload.models} models restored`);
    assert.ok(reload.ms < 3000, `took ${reload.ms} ms (the fallback would wait 4 s first)`);
    for (const name of [
      "HeatmapModel",
      "FeatureGridModel",
      "ScatterModel",
      "IntSliderModel",
      "ImageModel",
      "OutputModel",
      "LinkModel",
      "LayoutModel",
    ]) {
      assert.ok(reload.names.includes(name), `${name} restored`);
    }
    assert.deepEqual(await e.page.evaluate(() => (window as any).deepviz.errors), []);
  });
});
