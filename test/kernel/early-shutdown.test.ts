import { strict as assert } from "assert";
import { launch } from "./helpers";

// The checker thread is still busy right after a start or a restart: ending the process then must not
// abort it. Before the kernel waited for the thread to be idle, 2 of 12 such exits died with SIGABRT.
describe("kernel shut down while its type checker is busy", function () {
  it("exits with status 0 after a restart and a quick cell, every time", async function () {
    const exits: string[] = [];
    for (let i = 0; i < 8; i++) {
      const kernel = await launch();
      await kernel.execute(`1 + 1`);
      const first = kernel.process!;
      await kernel.shutdown(true);
      await kernel.execute(`2 + 2`);
      const second = kernel.process!;
      await kernel.shutdown(false);
      await new Promise((resolve) => setTimeout(resolve, 300));
      exits.push(`${first.exitCode}/${first.signalCode} ${second.exitCode}/${second.signalCode}`);
    }
    assert.deepEqual(exits, new Array(8).fill("0/null 0/null"), `exit status/signal per start:\n${exits.join("\n")}`);
  });
});
