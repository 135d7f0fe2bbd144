/**
 * Opens every page of a built site in headless Chromium (Debian's, through playwright-core), served by a
 * local static server, and reports console errors, failed requests, broken images and unrendered widgets.
 * Used by the tests and by hand: `npx tsx scripts/site/check-pages.ts SITE_DIR [SCREENSHOT_DIR]`.
 */
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".png": "image/png",
  ".svg": "image/svg+xml", ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".eot": "application/vnd.ms-fontobject",
};

export async function serveFolder(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = path.join(root, rel.endsWith("/") ? rel + "index.html" : rel);
    if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(() => ok())) };
}

export interface PageReport {
  page: string;
  consoleErrors: string[];
  failedRequests: string[];
  /** Requests that left the site's own server (a CDN, the network): must be none. */
  externalRequests: string[];
  /** Every <img> on the page, with its decoded size (0 × 0 = broken). */
  images: { src: string; width: number; height: number }[];
  widgetViews: number; // widget-view script tags in the page
  renderedWidgets: number; // .widget-subarea elements the renderer created
  plots: number; // Plotly figures saved in the page
  renderedPlots: number; // of those, drawn by Plotly (an SVG inside)
  screenshot?: string;
}

export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export async function checkSite(siteDir: string, screenshotDir?: string): Promise<PageReport[]> {
  const { chromium } = await import("playwright-core");
  const pages = fs.readdirSync(siteDir).filter((f) => f.endsWith(".html")).sort();
  const server = await serveFolder(siteDir);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
  const reports: PageReport[] = [];
  try {
    for (const page of pages) {
      const tab = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const report: PageReport = { page, consoleErrors: [], failedRequests: [], externalRequests: [], images: [], widgetViews: 0, renderedWidgets: 0, plots: 0, renderedPlots: 0 };
      tab.on("console", (m) => { if (m.type() === "error") report.consoleErrors.push(m.text()); });
      tab.on("pageerror", (e) => report.consoleErrors.push(`uncaught: ${e.message}`));
      tab.on("request", (r) => { const u = r.url(); if (!u.startsWith(server.url) && !/^(data|blob):/.test(u)) report.externalRequests.push(u); });
      tab.on("requestfailed", (r) => report.failedRequests.push(`${r.url()} ${r.failure()?.errorText ?? ""}`));
      tab.on("response", (r) => { if (r.status() >= 400) report.failedRequests.push(`${r.url()} HTTP ${r.status()}`); });
      await tab.goto(server.url + page, { waitUntil: "load" });
      report.widgetViews = await tab.locator('script[type="application/vnd.jupyter.widget-view+json"]').count();
      if (report.widgetViews > 0) {
        await tab.waitForFunction(() => document.body.dataset.widgetsRendered === "true", undefined, { timeout: 20000 }).catch(() => undefined);
      }
      await tab.waitForLoadState("networkidle");
      report.renderedWidgets = await tab.locator(".widget-subarea").count();
      report.plots = await tab.locator("div.plot").count();
      report.renderedPlots = await tab.locator("div.plot svg.main-svg").evaluateAll((svgs) => new Set(svgs.map((s) => s.closest("div.plot"))).size);
      report.images = await tab.evaluate(() => Array.from(document.images).map((i) => ({ src: i.src.slice(0, 60), width: i.naturalWidth, height: i.naturalHeight })));
      if (screenshotDir) {
        fs.mkdirSync(screenshotDir, { recursive: true });
        report.screenshot = path.join(screenshotDir, page.replace(/\.html$/, ".png"));
        await tab.screenshot({ path: report.screenshot, fullPage: true });
      }
      reports.push(report);
      await tab.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return reports;
}

if (require.main === module) {
  const [dir, shots] = process.argv.slice(2);
  if (!dir) {
    console.error("usage: check-pages SITE_DIR [SCREENSHOT_DIR]");
    process.exit(2);
  }
  checkSite(dir, shots).then((reports) => {
    for (const r of reports) console.log(JSON.stringify({ ...r, images: r.images.length, brokenImages: r.images.filter((i) => i.width === 0).length }));
  });
}
