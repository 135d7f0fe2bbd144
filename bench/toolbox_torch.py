"""PyTorch CPU reference for bench/toolbox.ts: the emotion GraphModel rebuilt in torch from its own nodes and
weights (a small interpreter for the ops it uses), then saliency, LRP-epsilon, DeepLift (Rescale), feature
ablation and GradientShap written here by hand, timed, and their maps returned so the bench can compare values.

Usage: toolbox_torch.py GRAPH.json REPS
GRAPH.json (written by the bench): {"input", "output", "target", "epsilon", "samples", "nodes": [{name, op,
inputs, attrs}], "weights": {name: {shape, data: base64 float32 or int32}}, "image": [H, W, C] floats,
"mask": [H, W] group ids}. Prints one JSON line: best wall seconds per method, and each method's map.
"""
import base64
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

spec = json.load(open(sys.argv[1]))
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
torch.set_num_threads(os.cpu_count() or 1)


def weight(entry):
    dtype = np.int32 if entry.get("dtype") == "int32" else np.float32
    return torch.from_numpy(np.frombuffer(base64.b64decode(entry["data"]), dtype=dtype).reshape(entry["shape"]).copy())


weights = {name: weight(w) for name, w in spec["weights"].items()}
nodes = spec["nodes"]
target = spec["target"]
EPS = spec["epsilon"]


def same_pad(size, k, s):
    """TensorFlow's SAME padding (before, after) for one axis."""
    total = max((math.ceil(size / s) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def padded(x, k, s, pad, value=0.0):
    if pad != "same":
        return x
    top, bottom = same_pad(x.shape[2], k[0], s[0])
    left, right = same_pad(x.shape[3], k[1], s[1])
    return F.pad(x, (left, right, top, bottom), value=value)


def conv(x, kernel, attrs, depthwise):
    s = attrs["strides"][1:3]
    k = kernel.shape[:2]
    x = padded(x, k, s, attrs["pad"])
    if depthwise:  # [h, w, in, mult] -> [in*mult, 1, h, w]
        w = kernel.permute(2, 3, 0, 1).reshape(-1, 1, k[0], k[1])
        return F.conv2d(x, w, stride=s, groups=x.shape[1])
    return F.conv2d(x, kernel.permute(3, 2, 0, 1), stride=s)


def probe(a):
    """Forwards a; passes the gradient back multiplied by a."""
    return a.detach() + (a - a.detach()) * a.detach()


def stabilise(z):
    return z + EPS * torch.where(z >= 0, 1.0, -1.0)


def epsilon_rule(linear, a, bias=None):
    """LRP-epsilon for z = linear(a) + bias, relevance form: the gradient arriving at z is R_z."""
    z = linear(a.detach())
    if bias is not None:
        z = z + bias
    q = 1.0 / stabilise(z).detach()
    p = linear(probe(a))
    return z.detach() + (p - p.detach()) * q


def halves(t):
    n = t.shape[0] // 2
    return t[:n], t[n:]


def safe_inverse(d):
    return torch.where(d.abs() > 1e-6, 1.0 / torch.where(d.abs() > 1e-6, d, torch.ones_like(d)), torch.zeros_like(d))


def rescale_relu(z):
    """DeepLift's Rescale rule on rows [inputs; references]: the gradient becomes (relu(zx) - relu(z0)) / (zx - z0)."""
    y = torch.relu(z)
    (zx, z0), (yx, y0) = halves(z.detach()), halves(y.detach())
    dz = zx - z0
    m = torch.where(dz.abs() > 1e-6, (yx - y0) * safe_inverse(dz), (zx > 0).float())
    return y.detach() + (z - z.detach()) * torch.cat([m, m])


def rescale_max_pool(z, pool):
    """Max pool under DeepLift: g * (yx - y0) to each window's winner at the input, divided by its zx - z0."""
    y = pool(z.detach())
    (zx, z0), (yx, y0) = halves(z.detach()), halves(y)
    inv = safe_inverse(zx - z0)
    routed = pool(z.detach() + (z - z.detach()) * torch.cat([inv, inv]))
    return y + (routed - routed.detach()) * torch.cat([yx - y0, yx - y0])


def run(x, lrp=False, deeplift=False):
    """The graph on NCHW x; with lrp, every linear op takes the epsilon rule; with deeplift, ReLUs and max pools Rescale."""
    relu = rescale_relu if deeplift else torch.relu
    values = {spec["input"]: x}
    for node in nodes:
        op, attrs = node["op"], node["attrs"]
        ins = [values.get(i, weights.get(i)) for i in node["inputs"]]
        if op == "_FusedConv2D":
            bias = ins[2].view(1, -1, 1, 1) if "biasadd" in attrs["fusedOps"] else None
            lin = lambda a, k=ins[1], at=attrs: conv(a, k, at, False)
            if lrp:
                y = epsilon_rule(lin, ins[0], bias)
            else:
                y = lin(ins[0]) + (bias if bias is not None else 0)
            if "relu" in attrs["fusedOps"]:
                y = relu(y)
        elif op == "DepthwiseConv2dNative":
            lin = lambda a, k=ins[1], at=attrs: conv(a, k, at, True)
            y = epsilon_rule(lin, ins[0]) if lrp else lin(ins[0])
        elif op == "MaxPool":
            k, s = attrs["kernelSize"][1:3], attrs["strides"][1:3]
            pool = lambda a, k=k, s=s, p=attrs["pad"]: F.max_pool2d(padded(a, k, s, p, -math.inf), k, s)
            y = rescale_max_pool(ins[0], pool) if deeplift else pool(ins[0])
        elif op == "AddV2":
            if lrp:
                z = (ins[0] + ins[1]).detach()
                q = 1.0 / stabilise(z)
                y = z + sum((a - a.detach()) * a.detach() * q for a in ins)
            else:
                y = ins[0] + ins[1]
        elif op == "Relu":
            y = relu(ins[0])
        elif op == "Mean":  # over NHWC axes [1, 2] = NCHW [2, 3]
            lin = lambda a: a.mean(dim=(2, 3))
            y = epsilon_rule(lin, ins[0]) if lrp else lin(ins[0])
        else:
            raise SystemExit(f"toolbox_torch.py: no op {op} (node {node['name']})")
        values[node["name"]] = y
        if node["name"] == spec["output"]:
            return y
    raise SystemExit("output node not reached")


image = torch.tensor(spec["image"], dtype=torch.float32).permute(2, 0, 1).unsqueeze(0)  # [1, C, H, W]
mask = torch.tensor(spec["mask"]).reshape(-1)
groups = int(mask.max()) + 1


def saliency():
    x = image.clone().requires_grad_(True)
    run(x)[0, target].backward()
    return x.grad.abs()


def lrp_epsilon():
    x = image.clone().requires_grad_(True)
    out = run(x, lrp=True)
    start = torch.zeros_like(out)
    start[0, target] = out[0, target].detach()  # relevance at the output: the target's score
    out.backward(start)
    return x.grad


def deep_lift():
    both = torch.cat([image, torch.zeros_like(image)]).requires_grad_(True)  # baseline 0
    run(both, deeplift=True)[0, target].backward()
    return both.grad[:1] * image


def feature_ablation():
    with torch.no_grad():
        keep = torch.ones(groups + 1, groups)
        keep[torch.arange(1, groups + 1), torch.arange(groups)] = 0
        masks = keep[:, mask].reshape(groups + 1, 1, *image.shape[2:])
        s = run(image * masks)[:, target]  # baseline 0
        drops = s[0] - s[1:]
        return drops[mask].reshape(image.shape)


generator = torch.Generator().manual_seed(0)


def gradient_shap():
    n = spec["samples"]
    alphas = torch.rand(n, 1, 1, 1, generator=generator)
    path = (alphas * image).requires_grad_(True)  # baseline 0
    run(path)[:, target].sum().backward()
    return (path.grad * image).mean(0, keepdim=True)


def best(fn):
    result = fn()  # warm-up
    seconds = math.inf
    for _ in range(reps):
        start = time.perf_counter()
        result = fn()
        seconds = min(seconds, time.perf_counter() - start)
    return seconds, result


def nhwc(t):
    return t.detach()[0].permute(1, 2, 0).reshape(-1).tolist()


out = {"threads": torch.get_num_threads(), "torch": torch.__version__}
for name, fn in [("saliency", saliency), ("lrp", lrp_epsilon), ("deepLift", deep_lift), ("featureAblation", feature_ablation), ("gradientShap", gradient_shap)]:
    seconds, value = best(fn)
    out[name] = {"seconds": seconds, "values": nhwc(value)}
print(json.dumps(out))
