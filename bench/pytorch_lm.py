"""PyTorch counterpart of bench/lm-cases.ts: the same models, optimizer settings and batches.

Usage: python3 pytorch_lm.py transformer WINDOWS_FILE --vocab V [--threads N] [--steps N] [--warmup N] [--repeats N]
       python3 pytorch_lm.py grok_mlp PAIRS_FILE [...]
WINDOWS_FILE: int32 [count, 65] token windows (64 inputs, then the last target); batches of 32 windows in order,
cycling. PAIRS_FILE: int32 [911, 3] rows (a, b, (a + b) mod 67), one full batch per step.
The transformer is timed with attention written out (minGPT style) and with nn.MultiheadAttention; both times are
printed under "configurations" and ms_per_step is the faster (PyTorch at its best). Denormals are flushed, as
ticketlab's kernels do, so neither side pays for subnormal floats.
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
except ImportError:
    print(json.dumps({"error": "torch not installed"}))
    sys.exit(3)

SEQ, BATCH, D, HEADS, LAYERS = 64, 32, 128, 4, 2


class ManualAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(D, D) for _ in range(4))
        self.register_buffer("mask", torch.triu(torch.ones(SEQ, SEQ, dtype=torch.bool), 1))

    def forward(self, x):
        B, S, _ = x.shape
        hd = D // HEADS
        q, k, v = (t.view(B, S, HEADS, hd).transpose(1, 2) for t in (self.q(x), self.k(x), self.v(x)))
        att = F.softmax(((q @ k.transpose(-2, -1)) / math.sqrt(hd)).masked_fill(self.mask, float("-inf")), dim=-1)
        return self.o((att @ v).transpose(1, 2).contiguous().view(B, S, D))


class TorchAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(D, HEADS, batch_first=True)
        self.register_buffer("mask", torch.triu(torch.ones(SEQ, SEQ, dtype=torch.bool), 1))

    def forward(self, x):
        return self.mha(x, x, x, attn_mask=self.mask, need_weights=False)[0]


class Block(nn.Module):
    def __init__(self, attention):
        super().__init__()
        self.ln1, self.attn, self.ln2 = nn.LayerNorm(D), attention(), nn.LayerNorm(D)
        self.fc1, self.fc2 = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)

    def forward(self, x):
        h = x + self.attn(self.ln1(x))
        return h + self.fc2(F.gelu(self.fc1(self.ln2(h)), approximate="tanh"))


class Decoder(nn.Module):
    """lm_decoder_2_128: token + learned positions, 2 pre-norm blocks, final layer norm, untied head."""

    def __init__(self, vocab, attention):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, D), nn.Embedding(SEQ, D)
        self.blocks = nn.Sequential(*(Block(attention) for _ in range(LAYERS)))
        self.ln_f, self.head = nn.LayerNorm(D), nn.Linear(D, vocab, bias=False)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0, 0.02)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, ids):
        h = self.tok(ids) + self.pos(torch.arange(ids.shape[1]))
        return self.head(self.ln_f(self.blocks(h)))


class GrokMlp(nn.Module):
    """grok_mlp_67: logits = W_U W_out ReLU(W_in (E[a] + E[b])), no biases."""

    def __init__(self, p=67, d_emb=500, d_hidden=48):
        super().__init__()
        self.embed = nn.Parameter(torch.randn(p, d_emb) / math.sqrt(p))
        self.inproj = nn.Linear(d_emb, d_hidden, bias=False)
        self.outproj = nn.Linear(d_hidden, d_emb, bias=False)
        self.unembed = nn.Linear(d_emb, p, bias=False)

    def forward(self, ab):
        e = self.embed[ab[:, 0]] + self.embed[ab[:, 1]]
        return self.unembed(self.outproj(F.relu(self.inproj(e))))


def time_steps(step, a):
    for _ in range(a.warmup):
        step()
    best = float("inf")
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(a.steps):
            step()
        best = min(best, (time.perf_counter() - t0) / a.steps)
    return best * 1e3


def transformer(a):
    windows = torch.from_numpy(np.fromfile(a.data, dtype=np.int32).reshape(-1, SEQ + 1).astype(np.int64))
    times = {}
    for name, attention in (("written_out", ManualAttention), ("nn_multihead", TorchAttention)):
        torch.manual_seed(0)
        model = Decoder(a.vocab, attention)
        opt = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.95), weight_decay=0.1)
        state = {"next": 0}

        def step():
            rows = [(state["next"] + b) % len(windows) for b in range(BATCH)]
            state["next"] = (state["next"] + BATCH) % len(windows)
            w = windows[rows]
            opt.zero_grad()
            logits = model(w[:, :SEQ])
            F.cross_entropy(logits.reshape(-1, a.vocab), w[:, 1:].reshape(-1)).backward()
            opt.step()

        times[name] = time_steps(step, a)
    return times


def grok_mlp(a):
    rows = torch.from_numpy(np.fromfile(a.data, dtype=np.int32).reshape(-1, 3).astype(np.int64))
    torch.manual_seed(0)
    model = GrokMlp()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), weight_decay=1.0)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(rows[:, :2]).double(), rows[:, 2]).backward()
        opt.step()

    return {"full_batch": time_steps(step, a)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["transformer", "grok_mlp"])
    ap.add_argument("data")
    ap.add_argument("--vocab", type=int, default=260)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)
    times = transformer(a) if a.case == "transformer" else grok_mlp(a)
    print(json.dumps({"case": a.case, "ms_per_step": min(times.values()), "configurations": times, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
