/**
 * A notebook written as an attacker would: script in markdown (every way HTML can carry it), stale
 * outputs with script in each rich type, and fields that look escaped (prompt number, image base64,
 * image size, stream name, MIME key, widget view JSON, error text). Cells that run produce a trusted
 * HTML output with a payload and widgets whose state holds `<!--<script>` and an HTML payload.
 *
 * Every payload calls `beacon(tag)`: it marks <html data-pwn-TAG>, writes localStorage and requests
 * `${listener}/TAG`, so a test sees whether it ran by any of the three.
 */

/** Script text (no double quotes, so it fits in an attribute) that reports `tag`. */
export function beacon(listener: string, tag: string): string {
  return `(function(){document.documentElement.setAttribute('data-pwn-${tag}','1');try{localStorage.setItem('pwn-${tag}','1')}catch(e){}fetch('${listener}/${tag}').catch(function(){})})()`;
}

/** Tags of payloads the run itself produces (trusted unless --untrusted). */
export const TRUSTED_TAGS = ["trusted-html", "trusted-widget"];

export interface MaliciousNotebook {
  nb: any;
  /** Every tag a payload can report. */
  tags: string[];
  /** The Label value with the comment opener, to find in the rendered widgets. */
  labelText: string;
}

export function maliciousNotebook(listener: string): MaliciousNotebook {
  const b = (tag: string) => beacon(listener, tag);
  const tags: string[] = [];
  const t = (tag: string) => (tags.push(tag), b(tag));
  const markdown = [
    "# Hostile notebook\n\n",
    `<img src=x onerror="${t("md-img")}">\n\n`,
    `<script>${t("md-script")}</script>\n\n`,
    `<svg onload="${t("md-svg")}"><circle r="4"/></svg>\n\n`,
    `[a link](javascript:${encodeURIComponent(t("md-js-link"))}) and <a href="javascript:${t("md-a-href")}">another</a>\n\n`,
    `<iframe srcdoc="<script>${t("md-iframe").replace(/'/g, "&#39;")}</script>"></iframe>\n\n`,
    `<details open ontoggle="${t("md-details")}"><summary>s</summary>d</details>\n\n`,
    `<div style="background-image:url(${listener}/md-css)">styled</div>\n\n`,
    `<style>@import url(${listener}/md-style-import);</style>\n\n`,
    `<object data="data:text/html;base64,${Buffer.from(`<script>${t("md-object")}</script>`).toString("base64")}"></object>\n\n`,
    `<form action="${listener}/md-form"><button id=go formaction="javascript:${t("md-formaction")}">go</button></form>\n\n`,
    `<math><mtext><table><mglyph><style><img src=x onerror="${t("md-mxss")}"></style></mglyph></table></mtext></math>\n\n`,
    `<img src="${listener}/md-remote-img">\n`,
  ];
  tags.push("md-css", "md-style-import", "md-remote-img", "md-form");
  const widgetHtml = `<img src=x onerror="${b("trusted-widget")}">`;
  const labelText = "comment opener <!--<script> inside a widget's state</script>";
  const code = (source: string, outputs: unknown[] = [], execution_count: unknown = null) => ({
    cell_type: "code",
    metadata: {},
    source,
    outputs,
    execution_count,
  });
  const stale = (data: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
    output_type: "display_data",
    data,
    metadata,
  });
  const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
  const cells = [
    { cell_type: "markdown", metadata: {}, source: markdown },
    code(`import * as dv from "deepviz";`),
    code(
      `({ [Symbol.for("Jupyter.display")]() { return { "text/html": ${JSON.stringify(`<img src=x onerror="${b("trusted-html")}"><b>trusted bold</b>`)}, "text/plain": "t" }; } })`,
    ),
    code(
      `new dv.widgets.VBox([new dv.widgets.HTML({ value: ${JSON.stringify(widgetHtml)} }), new dv.widgets.Label({ value: ${JSON.stringify(labelText)} })])`,
    ),
    code(`throw new Error(${JSON.stringify(`<img src=x onerror="${b("run-error")}">`)});`),
    // Cells after the failure keep the outputs the file brought: stale, never trusted.
    code(
      "stale()",
      [
        stale({
          "text/html": `<img src=x onerror="${t("stale-html")}"><script>${t("stale-html-script")}</script>`,
          "text/plain": "x",
        }),
      ],
      7,
    ),
    code("stale()", [stale({ "text/markdown": `<img src=x onerror="${t("stale-markdown")}">` })]),
    code("stale()", [
      stale({
        "image/svg+xml": `<svg xmlns="http://www.w3.org/2000/svg" onload="${t("stale-svg")}"><script>${t("stale-svg-script")}</script></svg>`,
      }),
    ]),
    code("stale()", [stale({ "image/png": `${png}"><img src=x onerror="${t("stale-base64")}">` })]),
    code("stale()", [
      stale(
        { "image/png": png },
        { "image/png": { width: `1" onerror="${t("stale-width")}`, height: `1"><img src=x onerror="${t("stale-height")}">` } },
      ),
    ]),
    code(
      "stale()",
      [{ output_type: "stream", name: `stdout"><img src=x onerror="${t("stale-stream-name")}">`, text: "s" }],
      `1]</span><img src=x onerror="${t("stale-count")}">`,
    ),
    code("stale()", [
      stale({ [`<img src=x onerror="${t("stale-mime-key")}">`]: "x" }),
      stale({
        "application/vnd.jupyter.widget-view+json": { model_id: `</script><script>${t("stale-view-json")}</script>` },
        "text/plain": "v",
      }),
      {
        output_type: "error",
        ename: `<img src=x onerror="${t("stale-ename")}">`,
        evalue: "e",
        traceback: [`<script>${t("stale-traceback")}</script>`],
      },
    ]),
    code("stale()", [stale({ "application/javascript": t("stale-javascript"), "text/plain": "js" })]),
  ];
  tags.push("run-error");
  return {
    nb: {
      cells,
      metadata: { kernelspec: { name: "deepviz", display_name: "TypeScript (DeepViz)", language: "typescript" } },
      nbformat: 4,
      nbformat_minor: 5,
    },
    tags,
    labelText,
  };
}
