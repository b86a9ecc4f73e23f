"""PyTorch counterpart of bench/transformer-ops.ts: one pre-norm transformer block (B=32, S=64, D=128, 4 heads,
d_mlp 512, causal), forward + backward, and the attention alone, on fresh random inputs each call.

Usage: OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 bench/pytorch_block.py [--rounds N] [--threads N]
Prints one JSON line per case with the best and median wall time and the best CPU time (ms), like the TS script.
Attention two ways: written out (minGPT style: view, transpose, matmul, masked_fill, softmax) and
nn.MultiheadAttention (fused input projection); the block is timed with each.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

B, S, D, H, MLP = 32, 64, 128, 4, 512


class ManualAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(D, D) for _ in range(4))
        self.register_buffer("mask", torch.triu(torch.ones(S, S, dtype=torch.bool), 1))

    def core(self, q, k, v):
        hd = D // H
        q, k, v = (t.view(B, S, H, hd).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        att = F.softmax(att.masked_fill(self.mask, float("-inf")), dim=-1)
        return (att @ v).transpose(1, 2).contiguous().view(B, S, D)

    def forward(self, x):
        return self.o(self.core(self.q(x), self.k(x), self.v(x)))


class TorchAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(D, H, batch_first=True)
        self.register_buffer("mask", torch.triu(torch.ones(S, S, dtype=torch.bool), 1))

    def forward(self, x):
        return self.mha(x, x, x, attn_mask=self.mask, need_weights=False)[0]


class Block(nn.Module):
    def __init__(self, attn):
        super().__init__()
        self.ln1, self.attn, self.ln2 = nn.LayerNorm(D), attn, nn.LayerNorm(D)
        self.fc1, self.fc2 = nn.Linear(D, MLP), nn.Linear(MLP, D)

    def forward(self, x):
        h = x + self.attn(self.ln1(x))
        return h + self.fc2(F.gelu(self.fc1(self.ln2(h)), approximate="tanh"))


def timed(fn, rounds):
    fn()
    fn()
    wall, cpu = [], []
    for _ in range(rounds):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    wall.sort()
    return {"wall_min_ms": round(wall[0], 3), "wall_median_ms": round(wall[len(wall) // 2], 3),
            "cpu_min_ms": round(min(cpu), 3)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(0)
    pool = [torch.randn(B, S, D) for _ in range(8)]
    grad = torch.randn(B, S, D)
    counter = [0]

    def fresh():
        counter[0] += 1
        return pool[counter[0] % len(pool)].clone().requires_grad_()

    info = {"torch": torch.__version__, "threads": a.threads}
    manual = ManualAttention()

    def attention():
        q, k, v = fresh(), fresh(), fresh()
        manual.core(q, k, v).backward(grad)

    print(json.dumps({"case": "attention_manual", **timed(attention, a.rounds), **info}))
    for name, attn in (("block_manual_attention", ManualAttention()), ("block_nn_multihead", TorchAttention())):
        block = Block(attn)

        def step():
            block.zero_grad(set_to_none=False)
            block(fresh()).backward(grad)

        print(json.dumps({"case": name, **timed(step, a.rounds), **info}))


if __name__ == "__main__":
    main()
