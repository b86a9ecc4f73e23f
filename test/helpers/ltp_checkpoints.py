"""Test oracle for LTP masks: numpy writes made-up checkpoint pairs and the masks np.argsort(-d, kind='stable')[:k]
picks, and reads the masks ticketlab wrote.

  make DIR    write DIR/{f32,f16,bf16,big}/{before,after}.safetensors, DIR/sharded/{before,after}/ (two shards and
              model.safetensors.index.json each, split differently), the expected U8 masks DIR/expected/<case>.safetensors
              and DIR/expected.json listing the cases. Most tensors change by a few multiples of 1/64, so many |d| are
              equal and the threshold falls among ties.
  check DIR   read every DIR/ours/<case>.safetensors with plain numpy and compare it with the expected mask, bit for bit
"""

import json
import os
import sys

import numpy as np

# name, shape, how it changes: "ties" by multiples of 1/64, "smooth" by Gaussian steps, or an int buffer.
TENSORS = [
    ("embed.weight", (40, 16), "smooth"),
    ("blocks.0.attn.weight", (16, 24), "ties"),
    ("blocks.0.attn.bias", (24,), "ties"),
    ("blocks.1.mlp.weight", (24, 8), "ties"),
    ("blocks.1.mlp.bias", (8,), "smooth"),
    ("blocks.2.mlp.weight", (8, 8, 3), "ties"),
    ("blocks.10.mlp.weight", (4, 5), "ties"),  # before blocks.2 in name order
    ("head.weight", (5, 16), "smooth"),
    ("norm.weight", (16,), "smooth"),
    ("position_ids", (1, 10), "int"),
    ("ext.\uff21", (3, 3), "ties"),  # sorted by code point (UTF-8 bytes), not UTF-16 units: U+FF21 first
    ("ext.\U0001F600", (1, 5), "ties"),
]
BIG = [("big.a", (1200, 1000), "ties"), ("big.b", (300, 7), "smooth")]  # more than one 2^20-element block

CASES = [
    # name, variant, keep, scope, layers
    ("f32-global", "f32", 0.2, "global", None),
    ("f32-global-40", "f32", 0.4, "global", None),  # Gaussian changes kept beside ties
    ("f32-per-layer", "f32", 0.2, "per-layer", None),
    ("f32-keep-all", "f32", 1.0, "global", None),
    ("f32-half-per-layer", "f32", 0.5, "per-layer", None),  # 4.5 and 2.5 round to even
    ("f32-tiny-per-layer", "f32", 0.01, "per-layer", None),  # some tensors keep nothing
    ("f32-layers", "f32", 0.25, "global", r"blocks\.[12]\."),  # takes a bias too, not blocks.10
    ("f16-global", "f16", 0.2, "global", None),
    ("bf16-global", "bf16", 0.2, "global", None),
    ("bf16-per-layer", "bf16", 0.3, "per-layer", None),
    ("sharded-global", "sharded", 0.2, "global", None),
    ("sharded-per-layer", "sharded", 0.3, "per-layer", None),
    ("big-global", "big", 0.2, "global", None),
    ("big-per-layer", "big", 0.1, "per-layer", None),
]


def logical_values(tensors, seed):
    rng = np.random.default_rng(seed)
    before, after = {}, {}
    for name, shape, kind in tensors:
        if kind == "int":
            before[name] = after[name] = np.arange(np.prod(shape), dtype=np.int64).reshape(shape)
            continue
        if kind == "ties":
            b = rng.integers(-64, 65, size=shape) / 64
            a = b + rng.integers(-3, 4, size=shape) / 64
        else:
            b = rng.standard_normal(shape) * 0.5
            a = b + rng.standard_normal(shape) * 0.01
        b, a = b.astype(np.float32), a.astype(np.float32)
        flat_b, flat_a = b.reshape(-1), a.reshape(-1)
        flat_b[:3] = 0.0  # -0 against +0: no change
        flat_a[:3] = -0.0
        before[name], after[name] = b, a
    return before, after


def bf16_bits(values):
    u = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def encode(v, dtype):
    """(safetensors dtype, raw bytes, the float32 values a reader decodes)."""
    if v.dtype == np.int64:
        return "I64", v.tobytes(), None
    if dtype == "F32":
        return "F32", v.tobytes(), v
    if dtype == "F16":
        h = v.astype(np.float16)
        return "F16", h.tobytes(), h.astype(np.float32)
    bits = bf16_bits(v)
    return "BF16", bits.tobytes(), (bits.astype(np.uint32) << 16).view(np.float32).reshape(v.shape)


def write_safetensors(path, entries, metadata=None):
    """entries: name -> (dtype, shape, raw). Data is laid out in reverse header order: readers must use the offsets."""
    header, blobs, offset = {"__metadata__": metadata or {"format": "pt"}}, [], 0
    for name in reversed(list(entries)):
        dtype, shape, raw = entries[name]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def write_variant(d, tensors, values, dtype, shards=None):
    """Writes one checkpoint; with `shards` (a list of name lists), as shard files and an index. Returns decoded."""
    decoded, entries = {}, {}
    for name, _, _ in tensors:
        st, raw, dec = encode(values[name], dtype)
        entries[name] = (st, values[name].shape, raw)
        decoded[name] = dec
    if shards is None:
        write_safetensors(d, entries)
        return decoded
    os.makedirs(d, exist_ok=True)
    weight_map = {}
    for i, names in enumerate(shards):
        file = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        write_safetensors(os.path.join(d, file), {n: entries[n] for n in names})
        weight_map.update({n: file for n in names})
    total = sum(len(e[2]) for e in entries.values())
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    return decoded


def expected_mask(decoded_b, decoded_a, tensors, keep, scope, layers):
    import re

    names = sorted(
        name
        for name, shape, kind in tensors
        if kind != "int" and (re.search(layers, name) if layers is not None else len(shape) >= 2)
    )
    d = {n: np.abs(decoded_a[n].reshape(-1) - decoded_b[n].reshape(-1)) for n in names}
    assert all(v.dtype == np.float32 for v in d.values())
    groups = [names] if scope == "global" else [[n] for n in names]
    masks = {}
    for group in groups:
        cat = np.concatenate([d[n] for n in group])
        k = round(keep * cat.size)
        mask = np.zeros(cat.size, np.uint8)
        mask[np.argsort(-cat, kind="stable")[:k]] = 1
        at = 0
        for n in group:
            masks[n] = mask[at : at + d[n].size]
            at += d[n].size
    return names, masks, d


def make(out):
    f32 = logical_values(TENSORS, 7)
    big = logical_values(BIG, 8)
    decoded = {}
    for variant, dtype in [("f32", "F32"), ("f16", "F16"), ("bf16", "BF16")]:
        os.makedirs(os.path.join(out, variant), exist_ok=True)
        decoded[variant] = tuple(
            write_variant(os.path.join(out, variant, f"{side}.safetensors"), TENSORS, vals, dtype)
            for side, vals in zip(["before", "after"], f32)
        )
    names = [t[0] for t in TENSORS]
    split_b = [names[:5], names[5:]]
    split_a = [names[::2], names[1::2]]
    decoded["sharded"] = tuple(
        write_variant(os.path.join(out, "sharded", side), TENSORS, vals, "BF16", split)
        for side, vals, split in zip(["before", "after"], f32, [split_b, split_a])
    )
    os.makedirs(os.path.join(out, "big"), exist_ok=True)
    decoded["big"] = tuple(
        write_variant(os.path.join(out, "big", f"{side}.safetensors"), BIG, vals, "BF16")
        for side, vals in zip(["before", "after"], big)
    )
    os.makedirs(os.path.join(out, "expected"), exist_ok=True)
    cases = []
    for name, variant, keep, scope, layers in CASES:
        tensors = BIG if variant == "big" else TENSORS
        ordered, masks, d = expected_mask(*decoded[variant], tensors, keep, scope, layers)
        shapes = {t[0]: t[1] for t in tensors}
        write_safetensors(
            os.path.join(out, "expected", f"{name}.safetensors"),
            {n: ("U8", shapes[n], masks[n].tobytes()) for n in ordered},
        )
        if name in ("f32-global", "f32-global-40", "bf16-global", "big-global"):
            # The threshold must fall among ties: some values equal to the smallest kept one are left out.
            kept = np.concatenate([d[n][masks[n] == 1] for n in ordered])
            left = np.concatenate([d[n][masks[n] == 0] for n in ordered])
            assert kept.min() in left, f"{name}: no ties at the threshold"
        location = os.path.join(variant, "before" if variant == "sharded" else "before.safetensors")
        cases.append(
            {
                "name": name,
                "before": location,
                "after": location.replace("before", "after"),
                "keep": keep,
                "scope": scope,
                "layers": layers,
                "kept": int(sum(int(m.sum()) for m in masks.values())),
                "total": int(sum(m.size for m in masks.values())),
                "tensors": [{"name": n, "kept": int(masks[n].sum()), "total": int(masks[n].size)} for n in ordered],
            }
        )
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(cases, f)


def read_safetensors(path):
    raw = open(path, "rb").read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n :]
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "U8", f"{path}: {name} is {info['dtype']}"
        b, e = info["data_offsets"]
        tensors[name] = np.frombuffer(data[b:e], dtype=np.uint8).reshape(info["shape"])
    return meta, tensors


def check(out):
    checked = 0
    for case in json.load(open(os.path.join(out, "expected.json"))):
        ours_path = os.path.join(out, "ours", case["name"] + ".safetensors")
        if not os.path.exists(ours_path):
            continue
        meta, ours = read_safetensors(ours_path)
        _, want = read_safetensors(os.path.join(out, "expected", case["name"] + ".safetensors"))
        assert meta.get("kind") == "ltp-mask" and meta.get("scope") == case["scope"], f"{case['name']}: {meta}"
        assert sorted(ours) == sorted(want), f"{case['name']}: tensors {sorted(ours)} vs {sorted(want)}"
        for name in want:
            assert ours[name].shape == want[name].shape, f"{case['name']}: {name} shape"
            assert np.array_equal(ours[name], want[name]), f"{case['name']}: {name} differs"
        checked += 1
    print(checked)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
