"""PyTorch reference for ticketlab's benchmark: the same training steps on the same real data, timed the same way.

Usage: python3 pytorch_ref.py CASE MNIST_DIR [--threads N] [--steps N] [--warmup N] [--repeats N] [--density D]
Prints one JSON object: {"case", "ms_per_step" (the faster configuration), "configurations": {name: ms}, "torch",
"threads"}.

Each step draws a fresh batch of real MNIST images the way an in-memory PyTorch pipeline does (a shuffled index
into normalized tensors), so the loss, gradients and Adam moments stay those of real training. (Training one fixed
batch over and over drives them subnormal, and PyTorch, which does not flush subnormals by default, then runs 4x
slower.) Two configurations are timed in alternating blocks: as users run it (`default`) and with subnormals flushed
to zero (`flush_denormal`); the caller runs this script once per OpenBLAS core type.
Thread pinning: torch.set_num_threads(N) here, and OPENBLAS_NUM_THREADS / OMP_NUM_THREADS set by the caller.
"""
import argparse
import json
import math
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


def lenet_300_100():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10))


class ConvBlock(nn.Module):
    """Conv-2's first block: 3→64→64 (3x3, padding 1, ReLU), 2x2 max-pool, then a linear head for the loss."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, padding=1)
        self.conv2 = nn.Conv2d(64, 64, 3, padding=1)
        self.fc = nn.Linear(64 * 16 * 16, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
        return self.fc(torch.flatten(x, 1))


def idx(path, offset):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def mnist(d, rgb32):
    """MNIST training images normalized as ticketlab does; `rgb32`: padded to 32x32 and repeated on 3 channels, the
    shape of a CIFAR-10 image (the Conv-2 block's input), as bench/cases.ts builds it."""
    x = idx(f"{d}/train-images-idx3-ubyte", 16).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(idx(f"{d}/train-labels-idx1-ubyte", 8).astype(np.int64))
    if rgb32:
        x = np.repeat(np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2))), 3, axis=1)
    x = (torch.from_numpy(x.astype(np.float32)) / 255.0 - 0.1307) / 0.3081
    return x, y


def lenet_masks(model, density):
    """Random masks at IMP's layerwise densities: fc layers at `density`, the output layer at the density the
    paper's half rate gives after the same number of levels (0.9^n when the fc layers are at 0.8^n)."""
    g = torch.Generator().manual_seed(0)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    out = []
    for i, lin in enumerate(linears):
        d = density if i < len(linears) - 1 else density ** (math.log(0.9) / math.log(0.8))
        out.append((lin.weight, (torch.rand(lin.weight.shape, generator=g) < d).float()))
    return out


CASES = {
    "lenet_300_100_step": (lenet_300_100, False, 60, lambda p: torch.optim.Adam(p, lr=1.2e-3)),
    "conv2_block_step": (ConvBlock, True, 60, lambda p: torch.optim.Adam(p, lr=2e-4)),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("mnist_dir")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--density", type=float, default=1.0, help="LeNet fc density (output layer at the IMP-matched density)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    build, rgb32, batch, make_opt = CASES[a.case]
    xtr, ytr = mnist(a.mnist_dir, rgb32)
    model = build()
    opt = make_opt(model.parameters())
    masks = lenet_masks(model, a.density) if a.density < 1.0 else None
    g = torch.Generator().manual_seed(0)
    state = {"perm": torch.randperm(xtr.shape[0], generator=g), "pos": 0}

    def step():
        if state["pos"] + batch > xtr.shape[0]:
            state["perm"], state["pos"] = torch.randperm(xtr.shape[0], generator=g), 0
        ids = state["perm"][state["pos"]:state["pos"] + batch]
        state["pos"] += batch
        if masks is not None:
            # How PyTorch lottery frameworks (OpenLTH's PrunedModel) train a ticket: dense weights times a mask.
            with torch.no_grad():
                for p, m in masks:
                    p.mul_(m)
        opt.zero_grad()
        F.cross_entropy(model(xtr[ids]), ytr[ids]).backward()
        opt.step()

    configs = {"default": False, "flush_denormal": True}
    for flush in configs.values():
        torch.set_flush_denormal(flush)
        for _ in range(a.warmup):
            step()
    best = {name: float("inf") for name in configs}
    for _ in range(a.repeats):
        for name, flush in configs.items():
            torch.set_flush_denormal(flush)
            t0 = time.perf_counter()
            for _ in range(a.steps):
                step()
            best[name] = min(best[name], (time.perf_counter() - t0) / a.steps * 1e3)
    print(json.dumps({"case": a.case, "ms_per_step": min(best.values()), "configurations": best,
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
