/**
 * Where the built JupyterLab extension lives, and an install step for the kernel installer that
 * copies it to `<jupyter data dir>/labextensions/deepviz-widgets/` (removed again on uninstall).
 * Build it first with `npm run build:labextension`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { VIEWS_MODULE } from "./views";

/** The built prebuilt extension (package.json + static/), found through the package root (the same from dist/). */
export const LABEXTENSION_DIR = path.join(
  path.dirname(require.resolve("deepviz/package.json")),
  "widgets",
  "frontend",
  "labextension",
);

export interface InstallContextLike {
  dataDir: string;
  log: (line: string) => void;
}

export const labextensionInstallStep = {
  name: "JupyterLab extension deepviz-widgets",
  install(ctx: InstallContextLike): void {
    const from = LABEXTENSION_DIR;
    if (!fs.existsSync(path.join(from, "package.json"))) {
      ctx.log(`skipped the JupyterLab extension: ${from} is not built (run \`npm run build:labextension\`)`);
      return;
    }
    const to = path.join(ctx.dataDir, "labextensions", VIEWS_MODULE);
    fs.rmSync(to, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.cpSync(from, to, { recursive: true });
    ctx.log(`installed the JupyterLab extension to ${to}`);
  },
  uninstall(ctx: InstallContextLike): void {
    const to = path.join(ctx.dataDir, "labextensions", VIEWS_MODULE);
    if (fs.existsSync(to)) {
      fs.rmSync(to, { recursive: true, force: true });
      ctx.log(`removed ${to}`);
    }
  },
};
