#!/usr/bin/env node
// The npm registry mirror here lacks the non-Linux builds of some native packages (e.g. @napi-rs/canvas's
// darwin/win32 binaries), so `npm install` leaves them out of package-lock.json and `npm ci` then refuses
// the lock. This adds a stub entry (version, os, cpu, optional) for each missing optional platform package:
// npm ci skips them on other platforms, as it would real entries. Run after `npm install`.
const fs = require("fs");
const path = require("path");
const file = path.join(__dirname, "..", "package-lock.json");
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const OS = ["android", "darwin", "linux", "win32", "freebsd"];
const CPU = { arm64: "arm64", x64: "x64", arm: "arm", riscv64: "riscv64", ia32: "ia32" };
let added = 0;
for (const [where, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `${where ? where + "/" : ""}node_modules/${name}`.replace(/^\//, "");
    const hoisted = `node_modules/${name}`;
    if (lock.packages[key] || lock.packages[hoisted]) continue;
    const parts = name.split("/").pop().split("-");
    const os = parts.find((p) => OS.includes(p));
    const cpu = parts.map((p) => CPU[p]).find(Boolean);
    if (!os || !cpu) continue;
    const stub = { version, optional: true, os: [os], cpu: [cpu] };
    if (parts.includes("musl")) stub.libc = ["musl"];
    else if (parts.includes("gnu") || parts.includes("gnueabihf")) stub.libc = ["glibc"];
    lock.packages[hoisted] = stub;
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(`complete-lock: added ${added} platform stub(s)`);
