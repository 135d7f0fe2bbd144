"use strict";
// Loads a module of a part (kernel-ext by default, or `partDir`): the compiled one under dist/ when built,
// else the TypeScript source via tsx. DEEPVIZ_FROM_SOURCE=1 forces the source (tests use it so they never
// run a stale build). dist/ mirrors the repository: <root>/<part>/src/x.ts compiles to <root>/dist/<part>/src/x.js.
const fs = require("fs");
const path = require("path");

module.exports = function load(name, partDir = path.join(__dirname, "..")) {
  const root = path.join(partDir, "..");
  const source = path.join(partDir, "src", name + ".ts");
  const built = path.join(root, "dist", path.relative(root, source)).replace(/\.ts$/, ".js");
  if (process.env.DEEPVIZ_FROM_SOURCE !== "1" && fs.existsSync(built)) return require(built);
  require("tsx/cjs");
  return require(source);
};
