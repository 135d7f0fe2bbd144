import * as fs from "fs";
import * as path from "path";
import { escapeHtml } from "../../kernel-ext/src/comm-api";
import { fail } from "../errors";
import { bundleOf, pictureOf, ShowOptions } from "./bundles";
import { Plot } from "./plot";

/**
 * Writes x to a file chosen by the extension: .png (pictures, attributions, tensors), .html (anything,
 * plots with plotly.js inlined), .json (a plot's figure). Returns the path.
 */
export function save(file: string, x: unknown, options: ShowOptions = {}): string {
  const ext = path.extname(file).toLowerCase();
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  if (ext === ".json") {
    if (!(x instanceof Plot)) fail("Only plots save as .json (their plotly figure); save pictures as .png.");
    fs.writeFileSync(file, JSON.stringify(x.toJSON()));
    return file;
  }
  if (ext === ".html") {
    const body =
      x instanceof Plot
        ? x.html(true)
        : (() => {
            const b = bundleOf(x, options);
            if (typeof b["text/html"] === "string") return b["text/html"] as string;
            if (typeof b["image/png"] === "string")
              return `<img alt="${String(b["text/plain"]).replace(/"/g, "&quot;")}" src="data:image/png;base64,${b["image/png"]}">`;
            return `<pre>${escapeHtml(String(b["text/plain"]))}</pre>`;
          })();
    fs.writeFileSync(file, `<!doctype html><meta charset="utf-8"><body>${body}</body>`);
    return file;
  }
  if (ext === ".png") {
    const picture = pictureOf(x, options);
    if (!picture)
      fail(
        `This ${x instanceof Plot ? "plot" : "value"} has no PNG form; save it as .html${x instanceof Plot ? " or .json" : ""}.`,
      );
    picture.save(file);
    return file;
  }
  return fail(`Cannot save "${file}": use a .png, .html or .json file name.`);
}
