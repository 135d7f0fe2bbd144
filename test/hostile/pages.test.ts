/**
 * The hostile notebook (malicious-notebook.ts) through every page writer — the runner, the lesson site,
 * and the untrusted (grading feedback) page — opened in Chromium with a local listener: no payload from
 * markdown, stale outputs or escaped fields runs; with `untrusted` none at all; the `<!--` in widget state
 * leaves every cell and widget on the page. Payloads the run produced are the positive control: on a
 * trusted page they do run, as in Jupyter, so the detection itself is tested.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import { pathToFileURL } from "url";
import type { Browser } from "playwright-core";
import { readNotebook } from "../../kernel-ext/src/notebook";
import { notebookToHtml } from "../../kernel-ext/src/notebook-html";
import { runNotebook, type RunResult } from "../../kernel-ext/src/runner";
import { buildSite } from "../../scripts/site/build-site";
import { CHROMIUM_ARGS, serveFolder } from "../../scripts/site/check-pages";
import { requireBuild, SOURCE_ENV, tmpDir } from "../kernel/helpers";
import { maliciousNotebook, TRUSTED_TAGS, type MaliciousNotebook } from "./malicious-notebook";

interface Visit {
  /** Tags whose payload ran (marked the page or wrote localStorage). */
  ran: string[];
  /** Paths the listener was asked for during the visit. */
  hits: string[];
  cells: number;
  widgetViews: number;
  renderedWidgets: number;
  text: string;
  stateJson?: string;
  dangerous: number; // javascript: links, iframes, objects, forms, inline handlers left in the DOM
}

describe("hostile notebook on every page the project writes", function () {
  this.timeout(300_000);
  let listener: http.Server;
  let listenerUrl: string;
  const hits: string[] = [];
  let browser: Browser;
  let hostile: MaliciousNotebook;
  let trustedRun: RunResult;
  let untrustedRun: RunResult;
  let dir: string;

  before(async function () {
    requireBuild();
    listener = http.createServer((req, res) => {
      hits.push(req.url ?? "");
      res.writeHead(200, { "access-control-allow-origin": "*" }).end("ok");
    });
    await new Promise<void>((ok) => listener.listen(0, "127.0.0.1", ok));
    listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    hostile = maliciousNotebook(listenerUrl);
    dir = tmpDir("hostile-pages");
    const nbPath = path.join(dir, "hostile.ipynb");
    fs.writeFileSync(nbPath, JSON.stringify(hostile.nb, null, 1));
    const kernel = { env: SOURCE_ENV };
    trustedRun = await runNotebook(nbPath, { outDir: path.join(dir, "trusted"), kernel, timeoutSec: 120 });
    untrustedRun = await runNotebook(nbPath, { outDir: path.join(dir, "untrusted"), kernel, timeoutSec: 120, untrusted: true });
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
    });
  });
  after(async () => {
    await browser?.close();
    await new Promise((ok) => listener?.close(ok));
  });

  async function visit(url: string, waitForWidgets = false): Promise<Visit> {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const from = hits.length;
    try {
      await tab.goto(url, { waitUntil: "load" });
      if (waitForWidgets)
        await tab.waitForFunction(() => document.body.dataset.widgetsRendered === "true", undefined, { timeout: 30_000 });
      await tab.waitForTimeout(700); // onerror handlers and fetches
      const seen = await tab.evaluate(() => {
        const ran = new Set<string>();
        for (const a of Array.from(document.documentElement.attributes))
          if (a.name.startsWith("data-pwn-")) ran.add(a.name.slice(9));
        try {
          for (let i = 0; i < localStorage.length; i++)
            if (localStorage.key(i)!.startsWith("pwn-")) ran.add(localStorage.key(i)!.slice(4));
        } catch {
          /* storage may be off for file:// */
        }
        const handlers = Array.from(document.querySelectorAll("*")).filter((el) =>
          Array.from(el.attributes).some((a) => /^on/i.test(a.name) && !a.value.includes("data-pwn-trusted-")),
        ).length;
        const dangerous =
          document.querySelectorAll('a[href^="javascript:" i], iframe, object, embed, form, base, meta[http-equiv="refresh" i]')
            .length + handlers;
        return {
          ran: [...ran].sort(),
          cells: document.querySelectorAll(".dv-cell, main > section").length,
          widgetViews: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
          renderedWidgets: document.querySelectorAll(".widget-subarea").length,
          text: document.body.innerText,
          stateJson: document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]')?.textContent ?? undefined,
          dangerous,
        };
      });
      // trusted payloads may have fetched: count only what arrived during this visit
      await new Promise((r) => setTimeout(r, 200));
      return {
        ...seen,
        hits: hits
          .slice(from)
          .map((h) => h.slice(1))
          .sort(),
      };
    } finally {
      await context.close();
    }
  }

  function assertOnlyTrusted(v: Visit, what: string, mustRun: string[]): void {
    const bad = v.ran.filter((tag) => !TRUSTED_TAGS.includes(tag));
    assert.deepEqual(bad, [], `${what}: payloads from markdown, stale outputs or fields ran`);
    assert.deepEqual(
      v.hits.filter((h) => !TRUSTED_TAGS.includes(h)),
      [],
      `${what}: requests reached the listener`,
    );
    for (const tag of mustRun)
      assert.ok(v.ran.includes(tag), `${what}: the run's own ${tag} output should be trusted (positive control)`);
    assert.equal(v.dangerous, 0, `${what}: dangerous elements left in the page`);
  }

  function assertNoneRan(v: Visit, what: string): void {
    assert.deepEqual(v.ran, [], `${what}: payloads ran`);
    assert.deepEqual(v.hits, [], `${what}: requests reached the listener`);
  }

  it("the run stopped at the throwing cell, and kept the stale outputs after it", () => {
    assert.equal(trustedRun.ok, false);
    assert.equal(trustedRun.failure?.cellIndex, 4);
    assert.match(trustedRun.failure!.evalue, /onerror/);
    assert.equal(trustedRun.notebook.cells.length, 13);
  });

  it("runner page (file://): only the run's own outputs run; every cell and the `<!--` widget state survive", async () => {
    const v = await visit(pathToFileURL(trustedRun.htmlPath!).href);
    assertOnlyTrusted(v, "runner page", ["trusted-html"]);
    assert.equal(v.cells, 13);
    assert.ok(v.text.includes("trusted bold"));
    const state = JSON.parse(v.stateJson!);
    const values = Object.values(state.state).map((m: any) => m.state.value);
    assert.ok(values.includes(hostile.labelText), "the Label's state, <!-- and all, parses back");
    assert.equal(v.widgetViews, 2); // the VBox and the stale view whose model_id tried to end the script
  });

  it("runner page with untrusted: nothing runs, under a Content-Security-Policy", async () => {
    const html = fs.readFileSync(untrustedRun.htmlPath!, "utf8");
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;self&#39;;/,
    );
    const v = await visit(pathToFileURL(untrustedRun.htmlPath!).href);
    assertNoneRan(v, "untrusted runner page");
    assert.equal(v.cells, 13);
  });

  it("feedback page (notebookToHtml untrusted) of the executed notebook: nothing runs", async () => {
    const file = path.join(dir, "feedback.html");
    fs.writeFileSync(
      file,
      notebookToHtml(trustedRun.notebook, { title: "<b>feedback</b>", untrusted: true, bodyStart: "<h1>Score 0 / 1</h1>" }),
    );
    const v = await visit(pathToFileURL(file).href);
    assertNoneRan(v, "feedback page");
    assert.equal(v.cells, 13);
    assert.ok(v.text.includes("Score 0 / 1"));
  });

  describe("lesson site", () => {
    async function site(name: string, notebook: any, untrusted = false): Promise<Visit> {
      const out = path.join(dir, name);
      await buildSite([{ file: "hostile.ipynb", notebook }], out, () => undefined, { untrusted });
      const server = await serveFolder(out);
      try {
        return await visit(server.url + "hostile.html", true);
      } finally {
        await server.close();
      }
    }

    it("from the run: only its own outputs and widgets run; every cell and widget renders", async () => {
      const v = await site("site-trusted", trustedRun.notebook);
      assertOnlyTrusted(v, "site page", TRUSTED_TAGS);
      assert.equal(v.cells, 13);
      assert.equal(v.renderedWidgets, 1);
      assert.ok(v.text.includes(hostile.labelText), "the Label with <!-- renders");
    });

    it("from the notebook file (every output and the widget state stale): nothing runs, widgets still render", async () => {
      const nb = readNotebook(fs.readFileSync(trustedRun.notebookPath, "utf8"), "executed");
      const v = await site("site-stale", nb);
      assertNoneRan(v, "site page from file");
      assert.equal(v.cells, 13);
      assert.equal(v.renderedWidgets, 1);
      assert.ok(v.text.includes(hostile.labelText));
    });

    it("untrusted: nothing runs, widgets still render", async () => {
      const v = await site("site-untrusted", trustedRun.notebook, true);
      assertNoneRan(v, "untrusted site page");
      assert.equal(v.renderedWidgets, 1);
      assert.ok(v.text.includes(hostile.labelText));
    });
  });
});
