"use strict";
// Loads a kernel-ext module: the compiled one under dist/ when built, else the TypeScript source via tsx.
// DEEPVIZ_FROM_SOURCE=1 forces the source (tests use it so they never run a stale build).
const fs = require("fs");
const path = require("path");

module.exports = function load(name) {
  const built = path.join(__dirname, "..", "..", "dist", "kernel-ext", "src", name + ".js");
  if (process.env.DEEPVIZ_FROM_SOURCE !== "1" && fs.existsSync(built)) return require(built);
  require("tsx/cjs");
  return require(path.join(__dirname, "..", "src", name + ".ts"));
};
