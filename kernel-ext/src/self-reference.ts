/**
 * Lets tslab's type checker see a package's own name from inside the package.
 *
 * Node resolves `require("deepviz")` from a notebook in this repository through package self-reference
 * (the nearest package.json has `name` and `exports`), but tslab's TypeScript uses classic Node10
 * resolution, which only looks in node_modules folders. So the checker is shown a virtual
 * `<dir>/node_modules/<name>` folder, for every ancestor dir of the package root and below it,
 * that mirrors the package root. Nothing is written to disk.
 */
import * as fs from "fs";
import * as path from "path";

interface TsSys {
  fileExists(p: string): boolean;
  directoryExists(p: string): boolean;
  readFile(p: string, encoding?: string): string | undefined;
  realpath?(p: string): string;
  getDirectories(p: string): string[];
  readDirectory(p: string, ...rest: unknown[]): string[];
  watchFile?(p: string, ...rest: unknown[]): unknown;
  watchDirectory?(p: string, ...rest: unknown[]): unknown;
  getModifiedTime?(p: string): Date | undefined;
}

/** The nearest package.json above `dir` that declares `exports` (the condition for self-reference). */
export function findSelfPackage(dir: string): { name: string; root: string } | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const file = path.join(d, "package.json");
    if (fs.existsSync(file)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
        // Node stops at the nearest package.json, whatever it holds.
        return typeof pkg.name === "string" && pkg.exports ? { name: pkg.name, root: d } : undefined;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/** Maps `<anything>/node_modules/<name>/rest` to `<root>/rest` when the real path does not exist. */
export function selfReferenceMapper(name: string, root: string): (p: string) => string {
  const marker = `${path.sep}node_modules${path.sep}${name}`;
  return (p: string) => {
    const normalized = path.normalize(p);
    const at = normalized.lastIndexOf(marker);
    if (at < 0) return p;
    const rest = normalized.slice(at + marker.length);
    if (rest !== "" && !rest.startsWith(path.sep)) return p;
    // Only inside the package: a notebook elsewhere must not see it.
    const base = normalized.slice(0, at) || path.sep;
    if (!root.startsWith(base) && !base.startsWith(root)) return p;
    if (fs.existsSync(normalized.slice(0, at + marker.length))) return p; // a real install wins
    return path.join(root, rest);
  };
}

/** Patches the TypeScript `sys` that tslab's converter reads through. Call before creating converters. */
export function installSelfReference(ts: { sys: TsSys }, cwd: string): { name: string; root: string } | undefined {
  const self = findSelfPackage(cwd);
  if (!self) return undefined;
  const map = selfReferenceMapper(self.name, self.root);
  const sys = ts.sys;
  const wrap = <K extends keyof TsSys>(key: K) => {
    const original = sys[key] as unknown as ((p: string, ...rest: unknown[]) => unknown) | undefined;
    if (typeof original !== "function") return;
    (sys as unknown as Record<string, unknown>)[key] = (p: string, ...rest: unknown[]) => original.call(sys, map(p), ...rest);
  };
  // realpath included: the package's own imports (tfjs...) then resolve to the same files as a cell's.
  for (const key of [
    "fileExists",
    "directoryExists",
    "readFile",
    "realpath",
    "getDirectories",
    "readDirectory",
    "watchFile",
    "watchDirectory",
    "getModifiedTime",
  ] as const) {
    wrap(key);
  }
  return self;
}
