"""PyTorch reference for bench/memory.ts: peak RSS of training an MLP ticket the way PyTorch lottery frameworks
do (dense weights times masks, dense Adam state), on the same random batch.

Usage: python3 pytorch_memory.py --widths 4096 4096 --density D --steps S
Prints one JSON object: {"peak_rss_mb"}.
"""
import argparse
import json
import math
import resource

import torch
import torch.nn as nn


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", type=int, nargs="+", required=True)
    ap.add_argument("--density", type=float, default=1.0)
    ap.add_argument("--steps", type=int, default=20)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    dims = [784, *a.widths, 10]
    layers = []
    for i in range(len(dims) - 1):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(nn.Flatten(), *layers)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    masks = []
    if a.density < 1:
        for i, lin in enumerate(linears):
            d = a.density if i < len(linears) - 1 else a.density ** (math.log(0.9) / math.log(0.8))
            m = (torch.rand(lin.weight.shape) < d).float()
            with torch.no_grad():
                lin.weight.mul_(m)
            masks.append((lin.weight, m))
    opt = torch.optim.Adam(model.parameters(), lr=1.2e-3)
    x = torch.randn(60, 1, 28, 28)
    y = torch.randint(0, 10, (60,))
    for _ in range(a.steps):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        for w, m in masks:
            w.grad.mul_(m)
        opt.step()
        with torch.no_grad():
            for w, m in masks:
                w.mul_(m)
    print(json.dumps({"peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


if __name__ == "__main__":
    main()
