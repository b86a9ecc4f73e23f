"""PyTorch reference for the whole-IMP-run benchmark: iterative magnitude pruning of LeNet-300-100 on MNIST the
way PyTorch lottery frameworks do it (dense weights times masks), matching `ticketlab lottery` work for work:
Adam 1.2e-3, batch 60, STEPS iterations per level, layerwise pruning of 20% (fc) / 10% (output) of the surviving
weights by magnitude, reset to θ0, test evaluation at the start and end of every level.

Usage: python3 pytorch_imp.py MNIST_DIR --levels L --steps S [--threads N] [--flush-denormal]
Prints one JSON object: {"seconds", "levels", "steps", "final_density", "accuracies"}.
"""
import argparse
import json
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    print(json.dumps({"error": str(e)}))
    sys.exit(3)


def idx(path, offset):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mnist_dir")
    ap.add_argument("--levels", type=int, default=10)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--flush-denormal", action="store_true", help="flush subnormals to zero (faster; not the default)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(a.flush_denormal)
    torch.manual_seed(0)
    d = a.mnist_dir
    xtr = torch.from_numpy(idx(f"{d}/train-images-idx3-ubyte", 16).reshape(-1, 784).astype(np.float32) / 255.0)
    ytr = torch.from_numpy(idx(f"{d}/train-labels-idx1-ubyte", 8).astype(np.int64))
    xte = torch.from_numpy(idx(f"{d}/t10k-images-idx3-ubyte", 16).reshape(-1, 784).astype(np.float32) / 255.0)
    yte = torch.from_numpy(idx(f"{d}/t10k-labels-idx1-ubyte", 8).astype(np.int64))
    xtr = (xtr - 0.1307) / 0.3081
    xte = (xte - 0.1307) / 0.3081

    model = nn.Sequential(nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10))
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.xavier_normal_(m.weight)
    theta0 = {k: v.clone() for k, v in model.state_dict().items()}
    linears = [m for m in model if isinstance(m, nn.Linear)]
    masks = [torch.ones_like(l.weight) for l in linears]
    rates = [0.2, 0.2, 0.1]

    def evaluate():
        with torch.no_grad():
            return (model(xte).argmax(1) == yte).float().mean().item()

    accs = []
    t0 = time.perf_counter()
    for level in range(a.levels):
        if level > 0:
            for l, m, r in zip(linears, masks, rates):
                alive = l.weight[m.bool()].abs()
                k = int(round(r * alive.numel()))
                thr = alive.kthvalue(k).values if k > 0 else None
                if thr is not None:
                    m.mul_((l.weight.abs() > thr).float())
            model.load_state_dict(theta0)
        opt = torch.optim.Adam(model.parameters(), lr=1.2e-3)
        evaluate()
        g = torch.Generator().manual_seed(level)
        perm = torch.randperm(xtr.shape[0], generator=g)
        pos = 0
        for _ in range(a.steps):
            if pos + 60 > perm.numel():
                perm = torch.randperm(xtr.shape[0], generator=g)
                pos = 0
            ids = perm[pos:pos + 60]
            pos += 60
            with torch.no_grad():
                for l, m in zip(linears, masks):
                    l.weight.mul_(m)
            opt.zero_grad()
            F.cross_entropy(model(xtr[ids]), ytr[ids]).backward()
            opt.step()
        with torch.no_grad():
            for l, m in zip(linears, masks):
                l.weight.mul_(m)
        accs.append(evaluate())
    seconds = time.perf_counter() - t0
    kept = sum(m.sum().item() for m in masks)
    total = sum(m.numel() for m in masks)
    print(json.dumps({"seconds": seconds, "levels": a.levels, "steps": a.steps, "final_density": kept / total, "accuracies": accs}))


if __name__ == "__main__":
    main()
