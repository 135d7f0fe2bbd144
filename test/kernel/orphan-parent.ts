/**
 * A parent for the orphan test: launches a kernel, starts a busy loop in it, prints the kernel's pid,
 * then waits to be killed (the test kills it with SIGKILL, so it cannot clean up).
 */
import { KernelClient } from "../../kernel-ext/src/client";
import { SOURCE_ENV } from "./helpers";

void (async () => {
  const kernel = await KernelClient.launch({ env: SOURCE_ENV });
  kernel.onIopub((m) => {
    if (m.header.msg_type === "stream" && m.content.text === "looping\n") console.log(`kernel ${kernel.process!.pid} looping`);
  });
  void kernel.execute(`console.log("looping"); while (true) {}`, { timeoutMs: 600_000 }).catch(() => undefined);
  setInterval(() => undefined, 1000);
})();
