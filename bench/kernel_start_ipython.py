"""IPython's kernel start for bench/reference.ts: seconds from launch until it answers kernel_info.

Usage: kernel_start_ipython.py REPS   (prints one JSON line: best seconds)
"""
import json
import os
import sys
import time

from jupyter_client.manager import start_new_kernel

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
best = float("inf")
for _ in range(reps):
    start = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3")  # returns once kernel_info is answered
    best = min(best, time.perf_counter() - start)
    client.stop_channels()
    manager.shutdown_kernel(now=True)
print(json.dumps({"seconds": best}), flush=True)
os._exit(0)  # skip jupyter_client's noisy finalizers
