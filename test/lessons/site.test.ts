/**
 * The lesson site from an executed notebook: page structure, inline images, saved widget state rendered
 * by @jupyter-widgets/html-manager in real Chromium, no console errors, nothing fetched from outside.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSite } from "../../scripts/site/build-site";
import { checkSite, PageReport } from "../../scripts/site/check-pages";
import { notebookErrors, notebookTitle } from "../../scripts/site/notebook";
import { renderPage } from "../../scripts/site/page";
import { fixtureNotebook, twoColourPng } from "./fixture";

describe("lesson site", function () {
  this.timeout(120_000);

  describe("renderPage", () => {
    it("turns markdown, streams, images and results into HTML, escaping code", () => {
      const nb = fixtureNotebook("A <b> title");
      nb.cells[1].source = "if (a < b && c > d) console.log('hello')";
      const { html, usesWidgets } = renderPage(nb, { title: "t", index: "index.html" });
      assert.ok(html.includes("<strong>one picture</strong>"));
      assert.ok(html.includes("if (a &lt; b &amp;&amp; c &gt; d)"));
      assert.ok(html.includes(`src="data:image/png;base64,${twoColourPng().toString("base64")}"`));
      assert.ok(html.includes('<pre class="result">2</pre>'));
      assert.equal(usesWidgets, true);
      assert.ok(html.includes('<script type="application/vnd.jupyter.widget-state+json">'));
    });

    it("shows the text fallback for a widget whose state was not saved", () => {
      const nb = fixtureNotebook();
      delete nb.metadata.widgets;
      const { html, usesWidgets } = renderPage(nb, { title: "t", index: "index.html" });
      assert.equal(usesWidgets, false);
      assert.ok(html.includes("VBox(...)"));
      assert.ok(!html.includes(`<script type="application/vnd.jupyter.widget-state+json">`));
    });

    it("keeps JSON in script tags from closing the tag", () => {
      const nb = fixtureNotebook();
      const state = nb.metadata.widgets!["application/vnd.jupyter.widget-state+json"]!;
      (state.state.w1.state as Record<string, unknown>).description = "</script><b>x";
      const { html } = renderPage(nb, { title: "t", index: "index.html" });
      assert.ok(!html.includes("</script><b>x"));
      const json = /<script type="application\/vnd.jupyter.widget-state\+json">(.*?)<\/script>/s.exec(html)![1];
      assert.equal(JSON.parse(json).state.w1.state.description, "</script><b>x");
    });

    it("renders error outputs and finds them", () => {
      const nb = fixtureNotebook();
      nb.cells[3].outputs = [
        {
          output_type: "error",
          ename: "DeepVizError",
          evalue: "no layer x",
          traceback: ["\u001b[31mDeepVizError\u001b[0m: no layer x"],
        },
      ];
      assert.deepEqual(notebookErrors(nb), [{ cell: 3, ename: "DeepVizError", evalue: "no layer x" }]);
      const { html } = renderPage(nb, { title: "t", index: "index.html" });
      assert.ok(html.includes('<pre class="error">DeepVizError: no layer x</pre>'));
      assert.equal(notebookTitle(nb, "f"), "Fixture lesson");
    });
  });

  describe("built site in Chromium", () => {
    let dir: string;
    let reports: PageReport[];
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "deepviz-site-"));
      await buildSite(
        [
          { file: "02-second.ipynb", notebook: fixtureNotebook("Second") },
          { file: "01-first.ipynb", notebook: fixtureNotebook("First") },
        ],
        dir,
      );
      reports = await checkSite(dir);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes an index and one page per notebook, linked in order", () => {
      assert.deepEqual(
        reports.map((r) => r.page),
        ["01-first.html", "02-second.html", "index.html"],
      );
      const index = fs.readFileSync(path.join(dir, "index.html"), "utf8");
      assert.ok(index.indexOf('href="01-first.html"') < index.indexOf('href="02-second.html"'));
      const first = fs.readFileSync(path.join(dir, "01-first.html"), "utf8");
      assert.ok(first.includes('href="02-second.html"') && !first.includes("← "));
    });

    it("loads every page with no console errors and nothing from outside the site", () => {
      for (const r of reports) {
        assert.deepEqual(r.consoleErrors, [], `${r.page}: console errors`);
        assert.deepEqual(r.failedRequests, [], `${r.page}: failed requests`);
        assert.deepEqual(r.externalRequests, [], `${r.page}: external requests`);
      }
    });

    it("draws the Plotly figure with the Plotly copied into the site", () => {
      assert.ok(fs.existsSync(path.join(dir, "_static", "plotly.js")));
      for (const r of reports.filter((p) => p.page !== "index.html"))
        assert.deepEqual([r.plots, r.renderedPlots], [1, 1], r.page);
    });

    it("decodes the inline picture and renders the saved widgets (slider + image from its buffer)", () => {
      for (const r of reports.filter((p) => p.page !== "index.html")) {
        assert.equal(r.widgetViews, 1);
        assert.equal(r.renderedWidgets, 1, `${r.page}: the widget view was not rendered`);
        // the output PNG plus the widget's Image view, both 32×16
        assert.deepEqual(
          r.images.map((i) => [i.width, i.height]),
          [
            [32, 16],
            [32, 16],
          ],
        );
      }
    });
  });
});
