import { strict as assert } from "assert";
import { launch, SOURCE_ENV } from "./helpers";

// Right after a start or a restart the checker thread is still busy: ending the process then must not
// abort it. With zeromq on a worker thread (the control socket, now a child process), 1 to 2 exits in 16
// died with SIGABRT under load.
describe("kernel shut down while its type checker is busy", function () {
  it("exits with status 0 after a restart and a quick cell, every time", async function () {
    this.timeout(600_000); // 16 kernel starts on a loaded machine
    const exits: string[] = [];
    for (let i = 0; i < 8; i++) {
      const kernel = await launch({ env: { ...SOURCE_ENV, DEEPVIZ_QUICK_CELLS: "1", DEEPVIZ_WAIT_FOR_CHECKER: "" } });
      try {
        await kernel.execute(`1 + 1`);
        const first = kernel.process!;
        await kernel.shutdown(true);
        await kernel.execute(`2 + 2`);
        const second = kernel.process!;
        await kernel.shutdown(false);
        await new Promise((resolve) => setTimeout(resolve, 300));
        exits.push(`${first.exitCode}/${first.signalCode} ${second.exitCode}/${second.signalCode}`);
      } finally {
        await kernel.close(); // its sockets would keep mocha alive after the last test
      }
    }
    assert.deepEqual(exits, new Array(8).fill("0/null 0/null"), `exit status/signal per start:\n${exits.join("\n")}`);
  });
});
