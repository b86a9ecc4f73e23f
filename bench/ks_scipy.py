"""The peer of the `ks_embedding_32000x4096` bench case: scipy.stats.ks_2samp on every row of two embeddings.

  make DIR                 write DIR/before.safetensors and DIR/after.safetensors: a 32,000 x 4,096 BF16 embedding
                           (LLaMA-7B's shape) and a copy in which 60 rows are shifted and the rest see small noise
  time DIR [--threads N]   read both tensors with numpy, run ks_2samp per row, count rows with p <= 0.05; prints
                           {"seconds", "selected"} as JSON
"""

import json
import os
import sys
import time

import numpy as np

ROWS, DIM, NAME = 32000, 4096, "model.embed_tokens.weight"


def bf16_bits(values):
    u = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def write(path, bits):
    header = {NAME: {"dtype": "BF16", "shape": [ROWS, DIM], "data_offsets": [0, bits.nbytes]}}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        bits.tofile(f)
    os.replace(tmp, path)


def make(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    before = rng.standard_normal((ROWS, DIM), dtype=np.float32) * 0.02
    after = before + rng.standard_normal((ROWS, DIM), dtype=np.float32) * 2e-4
    after[::ROWS // 60][:60] += 0.004
    write(os.path.join(out, "before.safetensors"), bf16_bits(before))
    write(os.path.join(out, "after.safetensors"), bf16_bits(after))


def read(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        f.seek(8 + n)
        bits = np.fromfile(f, dtype=np.uint16, count=ROWS * DIM)
    return (bits.astype(np.uint32) << 16).view(np.float32).reshape(ROWS, DIM)


def timed(d):
    from scipy.stats import ks_2samp

    t0 = time.perf_counter()
    a, b = read(os.path.join(d, "before.safetensors")), read(os.path.join(d, "after.safetensors"))
    selected = sum(1 for r in range(ROWS) if ks_2samp(a[r], b[r]).pvalue <= 0.05)
    return {"seconds": time.perf_counter() - t0, "selected": selected}


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "time":
        print(json.dumps(timed(sys.argv[2])))
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
