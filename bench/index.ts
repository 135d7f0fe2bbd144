/** Runs every bench/<name>.js next to this file (each exports main()). */
import * as fs from "fs";
import * as path from "path";

async function run(): Promise<void> {
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(".js") && f !== "index.js")
    .sort();
  for (const f of files) {
    console.log(`\n== ${f}`);
    const mod = require(path.join(__dirname, f)) as { main?: () => Promise<void> };
    if (mod.main) await mod.main();
  }
}

run();
