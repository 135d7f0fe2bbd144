/**
 * Every notebook under notebooks/ as a user runs it in JupyterLab: the project's own JupyterLab 4 build,
 * the DeepViz kernel, Debian's Chromium. For each: Run All from the Run menu; no error output, no error
 * stream, every widget view rendered; then every slider dragged with the mouse and every clickable
 * heatmap clicked, each changing the pictures with no error; then Restart Kernel and Run All twice from
 * the Kernel menu, giving the same pictures. Also: Interrupt and Restart from the Kernel menu stop a busy
 * cell and give a fresh kernel. Screenshots: test-output/lab/.
 *
 *   npx mocha --no-config -r tsx/cjs --extension ts --timeout 1800000 test/lab/notebooks-in-lab.test.ts
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Locator, Page } from "playwright-core";
import {
  allNotebooks,
  dragHandleTo,
  dragSlider,
  handleCentre,
  Lab,
  menu,
  openNotebook,
  OUT,
  pictures,
  mostChanged,
  picturesChanged,
  problems,
  ROOT,
  runAll,
  savedWidgetViews,
  shutdownKernels,
  startLab,
  waitAllRan,
  waitKernel,
  widgetOutputs,
} from "./harness";

const RUN_TIMEOUT = 10 * 60_000;
/** A picture counts as changed when this fraction of its pixels differ. */
const CHANGED = 0.002;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: false });
}

async function assertClean(page: Page, consoleErrors: string[], when: string, widgetViews?: number): Promise<void> {
  const p = await problems(page);
  assert.deepEqual(p.errorOutputs, [], `${when}: error outputs or error streams`);
  assert.deepEqual(p.widgetErrors, [], `${when}: widgets that failed to display`);
  if (widgetViews !== undefined) assert.equal(p.widgetViews, widgetViews, `${when}: widget views rendered, of those the notebook holds`);
  assert.deepEqual(consoleErrors, [], `${when}: browser console errors`);
}

/** Wait until the pictures in `scope` differ from `before` (and the kernel is idle); the largest change seen. */
async function waitChanged(page: Page, scope: Locator, before: Uint8ClampedArray[], ms = 60_000): Promise<number> {
  const deadline = Date.now() + ms;
  let change = 0;
  while (Date.now() < deadline) {
    await waitKernel(page, "idle", ms);
    change = picturesChanged(before, await pictures(scope));
    if (change > CHANGED) return change;
    await page.waitForTimeout(500);
  }
  return change;
}

/** The pictures of every output of the notebook (plots, images, widget canvases). */
function allOutputs(page: Page): Locator {
  return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell-outputWrapper");
}

async function restartAndRunAll(page: Page): Promise<void> {
  await menu(page, "Kernel", /^Restart Kernel and Run All Cells/);
  await page.locator(".jp-Dialog .jp-mod-accept").click();
  // the run has begun once a cell is queued or running
  await page.waitForFunction(
    () => Array.from(document.querySelectorAll(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt")).some((p) => /\[\*\]/.test(p.textContent ?? "")),
    undefined,
    { timeout: 120_000 },
  );
  await waitAllRan(page, RUN_TIMEOUT);
  await page.waitForTimeout(1000); // let the last views paint
}

describe("notebooks in the project's JupyterLab (Chromium)", function () {
  this.timeout(30 * 60_000);
  let lab: Lab;
  // DEEPVIZ_LAB_ONLY=07,grad-cam runs just the notebooks whose path contains one of those words
  const only = process.env.DEEPVIZ_LAB_ONLY?.split(",").filter(Boolean);
  const notebooks = allNotebooks().filter((f) => !only || only.some((w) => f.includes(w)));

  before(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    lab = await startLab();
  });
  after(async () => {
    if (lab) await lab.stop();
  });

  it("finds the notebooks (lessons, and assignments when there are some)", () => {
    assert.ok(notebooks.length >= (only ? 1 : 3), `found ${notebooks.length}`);
  });

  for (const file of notebooks) {
    const rel = path.relative(path.join(ROOT, "notebooks"), file);
    const name = rel.replace(/[\\/]/g, "_").replace(/\.ipynb$/, "");

    it(`${rel}: Run All, every slider and clickable heatmap live, restart-and-run-all twice gives the same pictures`, async () => {
      const consoleErrors: string[] = [];
      const page = await openNotebook(lab, path.join(lab.served, rel), consoleErrors);
      try {
        await runAll(page, RUN_TIMEOUT);
        await page.waitForTimeout(1000);
        await shot(page, `${name}-1-run-all`);
        const views = await savedWidgetViews(page, lab, path.join(lab.served, rel));
        // every lesson has a live widget; an assignment may have none (then nothing is dragged or clicked)
        const assignment = rel.startsWith("assignments");
        if (!assignment) assert.ok(views > 0, "the lesson shows at least one widget");
        await assertClean(page, consoleErrors, "after Run All", views);
        const outputs = widgetOutputs(page);
        const n = await outputs.count();

        let dragged = 0;
        let clicked = 0;
        for (let w = 0; w < n; w++) {
          const out = outputs.nth(w);
          const sliders = out.locator(".widget-slider");
          for (let s = 0; s < (await sliders.count()); s++) {
            const slider = sliders.nth(s);
            const label = (await slider.locator(".widget-label").first().textContent())?.trim() ?? `slider ${s}`;
            const readout = slider.locator(".widget-readout");
            let change = 0;
            const seen: string[] = [];
            const start = await handleCentre(slider);
            // a move can land on a value that draws the same (two empty channels, two inactive neurons): try other places
            for (const fraction of [0.8, 0.2, 0.55, 0.35, 0.95, 0.05, 0.65]) {
              const value = (await readout.textContent())?.trim();
              const before = await pictures(out);
              await dragSlider(page, slider, fraction);
              await page.waitForTimeout(300);
              seen.push(`${value}→${(await readout.textContent())?.trim()}`);
              if ((await readout.textContent())?.trim() === value) continue;
              change = await waitChanged(page, out, before, 20_000);
              if (change > CHANGED) break;
            }
            if (!(change > CHANGED)) await shot(page, `${name}-failed-drag`);
            assert.ok(change > CHANGED, `widget ${w + 1}: dragging "${label}" changed no picture (values ${seen.join(", ")})`);
            await assertClean(page, consoleErrors, `after dragging "${label}"`);
            // put it back, so that each slider is tried from the state the notebook left
            const moved = await pictures(out);
            await dragHandleTo(page, slider, start.x);
            await waitChanged(page, out, moved, 20_000);
            dragged++;
          }
          const clickable = out.locator(".deepviz-heatmap, .deepviz-feature-grid").filter({ has: page.locator("div", { hasText: /click/ }) });
          for (let c = 0; c < (await clickable.count()); c++) {
            const canvas = clickable.nth(c).locator("canvas").first();
            await canvas.scrollIntoViewIfNeeded();
            let change = 0;
            for (const [fx, fy] of [[0.3, 0.6], [0.7, 0.3], [0.5, 0.5]]) {
              const box = (await canvas.boundingBox())!;
              const before = await pictures(out);
              await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
              change = await waitChanged(page, out, before, 30_000);
              if (change > CHANGED) break;
            }
            assert.ok(change > CHANGED, `widget ${w + 1}: clicking heatmap ${c + 1} changed no picture`);
            await assertClean(page, consoleErrors, `after clicking heatmap ${c + 1}`);
            clicked++;
          }
        }
        if (!assignment) assert.ok(dragged > 0, "some slider was dragged");
        await shot(page, `${name}-2-after-moves`);
        console.log(`      ${rel}: ${n} widgets, ${dragged} sliders dragged, ${clicked} heatmaps clicked`);

        await restartAndRunAll(page);
        await assertClean(page, consoleErrors, "after the first Restart and Run All", views);
        const first = await pictures(allOutputs(page));
        await shot(page, `${name}-3-restart-run-all`);
        await restartAndRunAll(page);
        await assertClean(page, consoleErrors, "after the second Restart and Run All", views);
        const second = await pictures(allOutputs(page));
        assert.ok(first.length > 0, "the notebook has pictures");
        assert.equal(second.length, first.length, "as many pictures each time");
        const worst = mostChanged(first, second);
        if (worst.fraction > CHANGED && worst.index >= 0) {
          // both versions of the picture that changed, to look at
          for (const [run, shots] of [["a", first], ["b", second]] as const)
            fs.writeFileSync(path.join(OUT, `${name}-picture-${worst.index + 1}-${run}.png`), shots[worst.index]!.png);
        }
        assert.ok(
          worst.fraction <= CHANGED,
          `restart-and-run-all twice: picture ${worst.index + 1} of ${first.length} differs (${(100 * worst.fraction).toFixed(2)} % of its pixels; ` +
            `both saved as ${name}-picture-${worst.index + 1}-a/b.png)`,
        );
      } catch (e) {
        await shot(page, `${name}-failed`).catch(() => undefined); // what the page showed when it failed
        throw e;
      } finally {
        await page.close();
        await shutdownKernels(lab);
      }
    });
  }

  it("Interrupt and Restart from the Kernel menu stop a busy cell and give a fresh kernel", async () => {
    const file = path.join(lab.served, "zz-interrupt.ipynb");
    const cell = (source: string) => ({ cell_type: "code", metadata: {}, outputs: [], execution_count: null, source });
    fs.writeFileSync(file, JSON.stringify({
      cells: [cell("const t0 = Date.now();\nwhile (Date.now() - t0 < 600_000) {}"), cell("`kernel alive`")],
      metadata: { kernelspec: { name: "deepviz", display_name: "TypeScript (DeepViz)", language: "typescript" } },
      nbformat: 4,
      nbformat_minor: 5,
    }));
    const consoleErrors: string[] = [];
    const page = await openNotebook(lab, file, consoleErrors);
    try {
      await menu(page, "Run", /^Run All Cells$/);
      await page.waitForFunction(() => /\[\*\]/.test(document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt")?.textContent ?? ""), undefined, { timeout: 60_000 });
      await page.waitForTimeout(3000);
      const t0 = Date.now();
      await menu(page, "Kernel", /^Interrupt Kernel$/);
      await page.waitForFunction(() => !/\[\*\]/.test(document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt")?.textContent ?? ""), undefined, { timeout: 30_000 });
      const stopped = Date.now() - t0;
      const first = await page.locator(".jp-CodeCell").first().locator(".jp-OutputArea-output").allTextContents();
      assert.match(first.join("\n"), /interrupt/i, "the busy cell reports the interrupt");
      await shot(page, "interrupt-1");
      await menu(page, "Kernel", /^Restart Kernel…?$/);
      await page.locator(".jp-Dialog .jp-mod-accept").click();
      await waitKernel(page, "idle", 60_000);
      // a fresh kernel counts executions from 1 again
      await page.locator(".jp-CodeCell").nth(1).click();
      await menu(page, "Run", /^Run Selected Cell$/);
      await page.waitForFunction(
        () => /\[1\]/.test(document.querySelectorAll(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt")[1]?.textContent ?? ""),
        undefined,
        { timeout: 60_000 },
      );
      const second = await page.locator(".jp-CodeCell").nth(1).locator(".jp-OutputArea-output").allTextContents();
      assert.match(second.join("\n"), /kernel alive/);
      await shot(page, "interrupt-2-restarted");
      console.log(`      interrupt stopped the busy cell in ${stopped} ms`);
    } finally {
      await page.close();
      await shutdownKernels(lab);
      fs.rmSync(file, { force: true });
    }
  });
});
