"""IPython's kernel start, the reference of bench/kernel.ts (and bench/reference.ts).

Seconds from launch until: kernel_info is answered (ready), a first cell `1+1` is back (first_cell),
and a first deep-learning import is back (first_import: `import torch` and one tiny op, the analogue
of `import * as dv from "deepviz"; await dv.backend()`; numpy where torch is missing).

Usage: kernel_start_ipython.py REPS   (prints one JSON line: medians, and `seconds`, the best ready)
"""
import json
import os
import statistics
import sys
import time

from jupyter_client.manager import start_new_kernel

try:
    import torch  # noqa: F401  (only to know what the kernel can import)

    IMPORT = "import torch; torch.zeros(2).sum().item()"
except ImportError:
    IMPORT = "import numpy; numpy.zeros(2).sum()"


def run(client, code):
    reply = client.execute_interactive(code, timeout=300, output_hook=lambda msg: None)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"{code!r} failed in IPython: {reply['content']}")


reps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
times = {"ready": [], "first_cell": [], "first_import": []}
for _ in range(reps):
    start = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3")  # returns once kernel_info is answered
    times["ready"].append(time.perf_counter() - start)
    run(client, "1+1")
    times["first_cell"].append(time.perf_counter() - start)
    run(client, IMPORT)
    times["first_import"].append(time.perf_counter() - start)
    client.stop_channels()
    manager.shutdown_kernel(now=True)
result = {k: statistics.median(v) for k, v in times.items()}
result.update(seconds=min(times["ready"]), import_code=IMPORT, reps=reps)
print(json.dumps(result), flush=True)
os._exit(0)  # skip jupyter_client's noisy finalizers
