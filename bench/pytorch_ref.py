"""PyTorch reference for ticketlab's benchmark: the same training steps, timed the same way.

Usage: python3 pytorch_ref.py CASE [--threads N] [--steps N] [--repeats N]
Prints one JSON object: {"case", "ms_per_step", "torch", "threads"}.
Thread pinning: torch.set_num_threads(N) here, and OPENBLAS_NUM_THREADS / OMP_NUM_THREADS set by the caller.
"""
import argparse
import json
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print(json.dumps({"error": "torch not installed"}))
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


def lenet_masks(model, density):
    """Random masks at IMP's layerwise densities: fc layers at `density`, the output layer at the density the
    paper's half rate gives after the same number of levels (0.9^n when the fc layers are at 0.8^n)."""
    import math
    g = torch.Generator().manual_seed(0)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    out = []
    for i, lin in enumerate(linears):
        d = density if i < len(linears) - 1 else density ** (math.log(0.9) / math.log(0.8))
        out.append((lin.weight, (torch.rand(lin.weight.shape, generator=g) < d).float()))
    return out


CASES = {
    "lenet_300_100_step": (lenet_300_100, (60, 1, 28, 28), lambda p: torch.optim.Adam(p, lr=1.2e-3)),
    "conv2_block_step": (ConvBlock, (60, 3, 32, 32), lambda p: torch.optim.Adam(p, lr=2e-4)),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--density", type=float, default=1.0, help="LeNet fc density (output layer at the IMP-matched density)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    build, shape, make_opt = CASES[a.case]
    model = build()
    opt = make_opt(model.parameters())
    masks = lenet_masks(model, a.density) if a.density < 1.0 else None
    x = torch.randn(*shape)
    y = torch.randint(0, 10, (shape[0],))

    def step():
        if masks is not None:
            # How PyTorch lottery frameworks (OpenLTH's PrunedModel) train a ticket: dense weights times a mask.
            with torch.no_grad():
                for p, m in masks:
                    p.mul_(m)
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    best = float("inf")
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(a.steps):
            step()
        best = min(best, (time.perf_counter() - t0) / a.steps)
    print(json.dumps({"case": a.case, "ms_per_step": best * 1e3, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
