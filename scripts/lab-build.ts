/**
 * The project's own JupyterLab (lab/): install its npm packages and build it once, cached by the hash
 * of what determines the output (lab's lock file and build files); later starts reuse the build and
 * need no network. Also builds the deepviz-widgets labextension when it is missing or stale.
 *
 *   npx tsx scripts/lab-build.ts      build (or find) it and print its folder
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "./site/build-site";
import { newestMtime } from "./start";

/** Files of lab/ whose content decides the build. */
const BUILD_INPUTS = ["package-lock.json", "webpack.config.js", "bootstrap.js", "index.template.js"];

/** Where builds are kept: $DEEPVIZ_LAB_CACHE, else lab/build/ (ignored by git). */
export function labCacheDir(root: string): string {
  return process.env.DEEPVIZ_LAB_CACHE ? path.resolve(process.env.DEEPVIZ_LAB_CACHE) : path.join(root, "lab", "build");
}

export function labBuildKey(root: string): string {
  const hash = createHash("sha256");
  for (const file of BUILD_INPUTS) hash.update(file).update(fs.readFileSync(path.join(root, "lab", file)));
  return hash.digest("hex").slice(0, 16);
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(cmd, args, { cwd, env, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(" ")} failed in ${cwd} (exit ${r.status ?? r.signal})`);
}

/** `npm ci` in lab/ unless its node_modules came from this very lock file. */
function ensureModules(root: string, log: (s: string) => void): void {
  const lab = path.join(root, "lab");
  const lockHash = createHash("sha256")
    .update(fs.readFileSync(path.join(lab, "package-lock.json")))
    .digest("hex");
  const stamp = path.join(lab, "node_modules", ".deepviz-lock-hash");
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === lockHash) return;
  log("installing lab/'s npm packages (once per lock file) ...");
  const npmCli = process.env.npm_execpath;
  if (npmCli && /npm-cli\.js$/.test(npmCli))
    run(process.execPath, [npmCli, "ci", "--no-audit", "--no-fund", "--prefer-offline"], lab);
  else run("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], lab);
  fs.writeFileSync(stamp, lockHash);
}

/** The build folder (static/, schemas/, themes/), built now unless the cache has it. */
export function ensureLabBuild(root: string, log: (s: string) => void = (s) => console.error(s)): string {
  const cache = labCacheDir(root);
  const key = labBuildKey(root);
  const dir = path.join(cache, key);
  if (fs.existsSync(path.join(dir, "static", "bundle.js"))) return dir;
  ensureModules(root, log);
  log(`building JupyterLab into ${path.relative(root, dir) || dir} (development build, once per lock file) ...`);
  const t0 = Date.now();
  const partial = `${dir}.partial-${process.pid}`;
  const lab = path.join(root, "lab");
  run(
    process.execPath,
    [
      path.join(lab, "node_modules", "webpack", "bin", "webpack.js"),
      "--config",
      path.join(lab, "webpack.config.js"),
      "--stats=errors-warnings",
    ],
    lab,
    {
      ...process.env,
      DEEPVIZ_LAB_OUT: partial,
    },
  );
  fs.rmSync(path.join(partial, "src"), { recursive: true, force: true });
  // earlier builds (other lock files) go; the finished one appears at once, whole
  for (const old of fs.readdirSync(cache)) {
    if (/^[0-9a-f]{16}(\.partial-\d+)?$/.test(old) && old !== path.basename(partial))
      fs.rmSync(path.join(cache, old), { recursive: true, force: true });
  }
  fs.renameSync(partial, dir);
  log(`JupyterLab built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return dir;
}

/** The widget kit's labextension (widgets/frontend/labextension), rebuilt when its sources are newer. */
export function ensureLabextension(root: string, log: (s: string) => void = (s) => console.error(s)): void {
  const frontend = path.join(root, "widgets", "frontend");
  const built = path.join(frontend, "labextension", "package.json");
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestMtime(path.join(frontend, "src"), /\.ts$/)) return;
  log("building the deepviz-widgets labextension ...");
  run(process.execPath, [path.join(frontend, "build.mjs"), "--lab"], root);
}

if (require.main === module) {
  const root = repoRoot();
  ensureLabextension(root);
  console.log(ensureLabBuild(root));
}
