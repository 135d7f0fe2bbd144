import { strict as assert } from "assert";
import * as fs from "fs";
import { chromium, Browser } from "playwright-core";
import * as dv from "../../src";
import { JUPYTER_DISPLAY } from "../../src/core/display-registry";
import { outPath } from "./helpers";

/** The text/html of plot bundles drawn by real headless Chromium with every network request refused. */
describe("display/plotly in headless Chromium (network off)", function () {
  this.timeout(120000);
  let browser: Browser;

  before(async () => {
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  after(async () => {
    await browser?.close();
  });

  it("draws the first plot with the inlined library and later plots with the loaded one", async () => {
    dv.plots.resetPlotlyLoader();
    const first = dv.plots.topK([0.05, 0.6, 0.25, 0.1], { k: 3, labels: ["cat", "dog", "fox", "owl"] })[JUPYTER_DISPLAY]();
    const second = dv.plots.histogram([1, 2, 2, 3, 3, 3], { bins: 3 })[JUPYTER_DISPLAY]();
    const firstHtml = String(first["text/html"]);
    const secondHtml = String(second["text/html"]);
    assert.ok(firstHtml.length > 1_000_000, "the first plot carries plotly.js");
    assert.ok(secondHtml.length < 10_000, "later plots reuse it");

    const context = await browser.newContext({ offline: true, viewport: { width: 900, height: 900 } });
    const requests: string[] = [];
    await context.route("**/*", (route) => {
      requests.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    // like a notebook: each output's HTML is appended as it arrives
    await page.setContent(`<!doctype html><meta charset="utf-8"><body>${firstHtml}${secondHtml}</body>`);
    await page.waitForFunction(() => document.querySelectorAll(".deepviz-plot .main-svg").length >= 2, null, { timeout: 60000 });
    const bars = await page.evaluate(() =>
      Array.from(document.querySelectorAll(".deepviz-plot")).map((el) => el.querySelectorAll(".trace.bars .point").length),
    );
    assert.deepEqual(bars, [3, 3]);
    const labels = await page.evaluate(() =>
      Array.from(document.querySelectorAll(".deepviz-plot")[0].querySelectorAll(".ytick text")).map((t) => t.textContent),
    );
    assert.deepEqual(labels, ["owl", "fox", "dog"]); // the best on top
    assert.deepEqual(errors, []);
    assert.deepEqual(
      requests.filter((u) => !u.startsWith("about:") && !u.startsWith("data:")),
      [],
    );
    fs.writeFileSync(outPath("plotly-page.png"), await page.screenshot({ fullPage: true }));
    await context.close();
  });

  it("says what to do when a later plot lands on a page without the library", async () => {
    const html = String(dv.plots.lines({ loss: [3, 2, 1] })[JUPYTER_DISPLAY]()["text/html"]);
    const page = await browser.newPage();
    await page.setContent(`<!doctype html><body>${html}</body>`);
    const text = await page.evaluate(() => document.querySelector(".deepviz-plot")!.textContent);
    assert.match(String(text), /resetPlotlyLoader/);
    await page.close();
  });
});
