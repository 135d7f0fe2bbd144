import { strict as assert } from "assert";
import { chromium, Browser } from "playwright-core";
import { Embedding, embeddingBundle, embeddingFigure, embeddingHtml, embeddingPng, thumbnailDataUris } from "../../src/embed";
import { embeddingPngFrame } from "../../src/embed/plot-png";
import { PALETTE } from "../../src/embed/palette";
import { decodePng } from "../../src/render";

/**
 * Six points in three labelled pairs far apart, each with a 4×4 thumbnail of one solid grey level
 * (point i: 40·i), so a thumbnail identifies its point.
 */
function sample(): Embedding {
  const coords = Float32Array.from([0, 0, 0.2, 0.1, 10, 0, 10.2, 0.2, 5, 8, 5.1, 8.2]);
  const n = 6;
  const rgba = new Uint8ClampedArray(n * 16 * 4);
  for (let i = 0; i < n; i++) for (let p = 0; p < 16; p++) rgba.set([40 * i, 40 * i, 40 * i, 255], (i * 16 + p) * 4);
  return new Embedding(
    coords,
    n,
    2,
    "tsne",
    ["cat", "cat", "dog", "dog", "emu", "emu"],
    { inputDims: 8, seconds: 0, layer: "dense_1" },
    { rgba, n, height: 4, width: 4 },
  );
}

const hex = (c: string) => [1, 3, 5].map((o) => parseInt(c.slice(o, o + 2), 16));

describe("embed: display (PNG, plotly, hover thumbnails in Chromium)", function () {
  this.timeout(60000);
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

  it("draws each point in its label's colour in the PNG fallback", async () => {
    const e = sample();
    const png = embeddingPng(e);
    const image = decodePng(png);
    assert.deepEqual([image.width, image.height], [640, 480]);
    const rgbaAt = (x: number, y: number) =>
      Array.from(image.data.slice((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
    const frame = embeddingPngFrame(e, 640, 480);
    // Labels sort by first appearance: cat, dog, emu get palette colours 0, 1, 2.
    [0, 2, 4].forEach((i, g) => {
      const [px, py] = frame.toPixel(e.coords[2 * i], e.coords[2 * i + 1]);
      const pixel = rgbaAt(Math.round(px), Math.round(py)).slice(0, 3);
      hex(PALETTE[g]).forEach((v, t) => assert.ok(Math.abs(pixel[t] - v) <= 2, `point ${i}: ${pixel} vs ${PALETTE[g]}`));
    });
    // Far from every point the plot area stays white.
    const [wx, wy] = frame.toPixel(10, 8);
    assert.deepEqual(rgbaAt(Math.round(wx), Math.round(wy)), [255, 255, 255, 255]);
  });

  it("builds a bundle with HTML, PNG and a plotly figure of one trace per label", () => {
    const bundle = sample()[Symbol.for("Jupyter.display") as unknown as keyof Embedding] as unknown as () => Record<
      string,
      unknown
    >;
    const b = bundle.call(sample());
    assert.match(String(b["text/plain"]), /Embedding\(tsne 6 points 8→2 dims labels=3\)/);
    assert.equal(Buffer.from(String(b["image/png"]), "base64").subarray(1, 4).toString(), "PNG");
    const fig = b["application/vnd.plotly.v1+json"] as { data: { name: string; x: number[]; customdata: number[] }[] };
    assert.deepEqual(
      fig.data.map((t) => t.name),
      ["cat", "dog", "emu"],
    );
    assert.deepEqual(fig.data[1].customdata, [2, 3]);
    assert.ok(Math.abs(fig.data[1].x[1] - 10.2) < 1e-5);
    assert.deepEqual(Object.keys(embeddingBundle(sample())).sort(), ["application/vnd.plotly.v1+json", "image/png", "text/html"]);
  });

  it("makes 3-D embeddings scatter3d traces with z", () => {
    const coords = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const e = new Embedding(coords, 3, 3, "pca", [1, 0, 1], { inputDims: 5, seconds: 0 }, null);
    const fig = embeddingFigure(e) as unknown as { data: { type: string; name: string; z: number[] }[] };
    assert.deepEqual(
      fig.data.map((t) => [t.type, t.name]),
      [
        ["scatter3d", "0"],
        ["scatter3d", "1"],
      ],
    );
    assert.deepEqual(fig.data[1].z, [2, 8]);
  });

  /** Puts the HTML into the page the way notebook front ends do: as markup, then its scripts re-created to run. */
  async function showInPage(html: string) {
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    await page.setContent("<html><body style='margin:0'></body></html>");
    await page.evaluate((markup) => {
      const host = document.createElement("div");
      host.innerHTML = markup;
      document.body.appendChild(host);
      host.querySelectorAll("script").forEach((old) => {
        const s = document.createElement("script");
        s.textContent = old.textContent;
        old.replaceWith(s);
      });
    }, html);
    return page;
  }

  it("shows the PNG when Plotly is absent", async () => {
    const page = await showInPage(embeddingHtml(sample(), { library: "never" }));
    const src = await page.getAttribute(".deepviz-embedding img", "src");
    assert.ok(src?.startsWith("data:image/png;base64,"));
    await page.close();
  });

  it("with Plotly, hovering a point shows its own thumbnail and label", async () => {
    const e = sample();
    const thumbs = thumbnailDataUris(e.thumbnails!);
    // plotly.js comes inlined in the HTML itself, as a notebook's first plot gets it.
    const page = await showInPage(embeddingHtml(e, { library: "always" }));
    await page.waitForSelector(".deepviz-embedding .js-plotly-plot .scatterlayer .point");
    assert.equal(await page.locator(".deepviz-embedding > img").count(), 0); // the PNG gave way
    for (const i of [3, 4]) {
      // Screen position of point i from plotly's own axes.
      const [x, y] = await page.evaluate(
        ([px, py]) => {
          const gd = document.querySelector(".js-plotly-plot") as unknown as {
            _fullLayout: any;
            getBoundingClientRect(): DOMRect;
          };
          const fl = gd._fullLayout;
          const box = gd.getBoundingClientRect();
          return [box.left + fl._size.l + fl.xaxis.d2p(px), box.top + fl._size.t + fl.yaxis.d2p(py)];
        },
        [e.coords[2 * i], e.coords[2 * i + 1]],
      );
      await page.mouse.move(x, y);
      await page.waitForFunction(
        () => (document.querySelector(".deepviz-embedding-tip") as HTMLElement).style.display === "block",
      );
      assert.equal(await page.getAttribute(".deepviz-embedding-tip img", "src"), thumbs[i]);
      assert.equal(await page.textContent(".deepviz-embedding-label"), e.labels![i]);
      await page.mouse.move(1, 1);
      await page.waitForFunction(
        () => (document.querySelector(".deepviz-embedding-tip") as HTMLElement).style.display === "none",
      );
    }
    // The thumbnail itself decodes to point 4's grey level (160).
    const thumb = decodePng(Buffer.from(thumbs[4].split(",")[1], "base64"));
    assert.deepEqual(
      Array.from(thumb.data.slice((1 * thumb.width + 1) * 4, (1 * thumb.width + 1) * 4 + 4)),
      [160, 160, 160, 255],
    );
    await page.close();
  });
});
