/**
 * TypeScript includes every package under each node_modules/@types in every program unless `types`
 * says otherwise, and tslab sets no `types`: a cell's program then parses React, jQuery, lodash… types
 * that a notebook never uses as globals (about a third of the kernel's start-up here). Imported packages
 * still find their @types through module resolution; only the automatic inclusion is narrowed to Node's.
 */
interface TsSys {
  getDirectories(path: string): string[];
}

const TYPES_DIR = /[\\/]node_modules[\\/]@types[\\/]?$/;

export function onlyNodeTypesByDefault(ts: { sys: TsSys }): void {
  const sys = ts.sys;
  const original = sys.getDirectories.bind(sys);
  sys.getDirectories = (path: string) => {
    const dirs = original(path);
    return TYPES_DIR.test(path) ? dirs.filter((d) => d === "node") : dirs;
  };
}
