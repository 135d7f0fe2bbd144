"""PyTorch CPU reference for bench/reference.ts: VGG16 (torchvision, random weights) saliency on one 224x224 image.

Usage: saliency_torch.py REPS
Prints one JSON line: median wall seconds of REPS saliency passes (forward + backward to the input) as
saliency code is usually written (the weights require gradients, so backward() computes theirs too), and
with the weights frozen (requires_grad False: only the input gradient, the work deepviz does), of a forward pass alone (all threads, and one), the
threads torch used, and torch's version. Weights are random, like the TypeScript side's: time does not
depend on their values.
"""
import json
import os
import statistics
import sys
import time

import torch
import torchvision

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
torch.set_num_threads(os.cpu_count() or 1)  # all cores, as the wasm pool uses
torch.manual_seed(0)
model = torchvision.models.vgg16().eval()
x = torch.rand(1, 3, 224, 224)


def saliency():
    image = x.clone().requires_grad_(True)
    score = model(image)[0, 3]
    score.backward()
    return image.grad.abs().amax(1)


def forward():
    with torch.no_grad():
        model(x)


def median_seconds(run=saliency):
    run()  # warm-up
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


with_weight_grads = median_seconds()
for p in model.parameters():
    p.requires_grad_(False)
input_only = median_seconds()
forward_only = median_seconds(forward)
threads = torch.get_num_threads()
torch.set_num_threads(1)  # one thread: the kernels' arithmetic rate, against one wasm thread's
forward_one_thread = median_seconds(forward)
print(
    json.dumps(
        {
            "seconds": with_weight_grads,
            "seconds_input_only": input_only,
            "seconds_forward": forward_only,
            "seconds_forward_one_thread": forward_one_thread,
            "threads": threads,
            "torch": torch.__version__,
        }
    )
)
