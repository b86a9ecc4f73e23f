"""Test oracle for KS-Lottery: numpy writes embedding checkpoints with planted row shifts, scipy tests every row.

  make DIR   write DIR/{f32,f16,bf16}/{before,after}.safetensors (64 rows x 256, tensor model.embed_tokens.weight)
             where rows 3, 10 and 41 are shifted and the others only see noise below the dtype's resolution, and
             DIR/expected.json: per dtype the planted rows and scipy's ks_2samp statistic and p-value for every row
             of the decoded values
"""

import json
import os
import sys

import numpy as np
from scipy.stats import ks_2samp

ROWS, DIM = 64, 256
PLANTED = [3, 10, 41]
NAME = "model.embed_tokens.weight"


def bf16_bits(values):
    u = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_values(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def write_safetensors(path, dtype, shape, raw):
    header = {"__metadata__": {"format": "pt"}, NAME: {"dtype": dtype, "shape": list(shape), "data_offsets": [0, len(raw)]}}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        f.write(raw)


def encode(values, dtype):
    """(raw bytes, the float64 values a reader decodes)."""
    if dtype == "F32":
        v = values.astype(np.float32)
        return v.tobytes(), v.astype(np.float64)
    if dtype == "F16":
        v = values.astype(np.float16)
        return v.tobytes(), v.astype(np.float64)
    bits = bf16_bits(values)
    return bits.tobytes(), bf16_values(bits).astype(np.float64)


def make(out):
    rng = np.random.default_rng(11)
    before = (rng.standard_normal((ROWS, DIM)) * 0.02).astype(np.float32)
    before[5, :8] = 0.0  # ties, and -0 against +0 below
    after = before + (rng.standard_normal((ROWS, DIM)) * 1e-9).astype(np.float32)
    after[5, :8] = -0.0
    for i, r in enumerate(PLANTED):
        after[r] += 0.01 * (i + 1)  # half a standard deviation and more
    expected = {}
    for dtype in ["F32", "F16", "BF16"]:
        d = os.path.join(out, dtype.lower())
        os.makedirs(d, exist_ok=True)
        raw_b, vb = encode(before, dtype)
        raw_a, va = encode(after, dtype)
        write_safetensors(os.path.join(d, "before.safetensors"), dtype, (ROWS, DIM), raw_b)
        write_safetensors(os.path.join(d, "after.safetensors"), dtype, (ROWS, DIM), raw_a)
        tests = [ks_2samp(vb[r], va[r]) for r in range(ROWS)]
        expected[dtype] = {
            "planted": PLANTED,
            "statistic": [float(t.statistic) for t in tests],
            "p_value": [float(t.pvalue) for t in tests],
        }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
