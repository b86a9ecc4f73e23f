"""Test oracle for checkpoints: numpy writes and reads safetensors checkpoints the way other tools lay them out.

  make DIR          write a sharded checkpoint (BF16 weights, an F16 and an I64 tensor) to DIR, and the values
                    numpy decodes from it to DIR/expected/<name>.bin (float32, or int64 for I64)
  check DIR INPUTS  read the checkpoint ticketlab wrote to DIR; round INPUTS/<name>.f32 (the float32 values it was
                    given) to each tensor's dtype with numpy and compare with the stored bits; write what numpy
                    decodes to INPUTS/<name>.numpy.f32 and print a JSON report
"""

import json
import os
import sys

import numpy as np


def bf16_bits(values):
    """float32 -> bfloat16 bits, round to nearest even (NaN -> 0x7fc0), as PyTorch rounds."""
    u = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    bits = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    bits[np.isnan(values)] = 0x7FC0
    return bits


def bf16_values(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def write_safetensors(path, tensors):
    """tensors: list of (name, dtype, shape, raw bytes), written in order."""
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for _, _, _, raw in tensors:
            f.write(raw)


def make(out):
    rng = np.random.default_rng(7)
    os.makedirs(os.path.join(out, "expected"), exist_ok=True)

    def bf16(shape, scale):
        values = (rng.standard_normal(shape) * scale).astype(np.float32)
        values.flat[0] = np.float32(1 + 2**-8)  # exactly halfway between two bfloat16s: rounds to even (1.0)
        bits = bf16_bits(values)
        return "BF16", bits, bf16_values(bits)

    def f16(shape):
        values = rng.standard_normal(shape).astype(np.float16)
        return "F16", values, values.astype(np.float32)

    ids = np.arange(6, dtype=np.int64).reshape(1, 6) * 1_000_000_007
    shards = {
        "model-00001-of-00002.safetensors": {
            "model.layers.0.fc1.weight": bf16((16, 12), 0.3),
            "model.layers.0.fc1.bias": bf16((16,), 0.1),
        },
        "model-00002-of-00002.safetensors": {
            "model.layers.1.c_proj.weight": bf16((16, 4), 0.3),  # Conv1D layout: [in, out]
            "model.layers.1.c_proj.bias": bf16((4,), 0.1),
            "model.norm.scale": f16((5,)),
            "model.position_ids": ("I64", ids, ids),
        },
    }
    weight_map, total = {}, 0
    for shard, tensors in shards.items():
        entries = []
        for name, (dtype, stored, decoded) in tensors.items():
            entries.append((name, dtype, stored.shape, stored.tobytes()))
            decoded.tofile(os.path.join(out, "expected", name + ".bin"))
            weight_map[name] = shard
            total += stored.nbytes
        write_safetensors(os.path.join(out, shard), entries)
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        json.dump(index, f, indent=2, sort_keys=True)


def read_header(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    return n, header, data


def rounded(values, dtype):
    """What each dtype should store for float32 `values`, as bits, by numpy's own rounding."""
    if dtype == "F32":
        return values.view(np.uint32)
    if dtype == "F16":
        with np.errstate(over="ignore"):
            return values.astype(np.float16).view(np.uint16)
    return bf16_bits(values)


def decoded(bits, dtype):
    if dtype == "F32":
        return bits.view(np.float32)
    if dtype == "F16":
        return bits.view(np.float16).astype(np.float32)
    return bf16_values(bits)


def check(src, inputs):
    index_file = os.path.join(src, "model.safetensors.index.json")
    if os.path.exists(index_file):
        with open(index_file) as f:
            index = json.load(f)
        shards = sorted(set(index["weight_map"].values()))
    else:
        index, shards = None, ["model.safetensors"]
    report, total = {"tensors": {}, "shards": shards}, 0
    for shard in shards:
        n, header, data = read_header(os.path.join(src, shard))
        report.setdefault("metadata", header.pop("__metadata__", {}))
        report.setdefault("aligned", True)
        report["aligned"] &= (8 + n) % 8 == 0
        for name, entry in header.items():
            begin, end = entry["data_offsets"]
            stored_type = {"F32": np.uint32, "F16": np.uint16, "BF16": np.uint16}[entry["dtype"]]
            stored = np.frombuffer(data[begin:end], dtype=stored_type)
            given = np.fromfile(os.path.join(inputs, name + ".f32"), dtype=np.float32)
            want = rounded(given, entry["dtype"])
            values = decoded(stored, entry["dtype"])
            values.tofile(os.path.join(inputs, name + ".numpy.f32"))
            nan_ok = np.isnan(given) & np.isnan(values)  # any NaN encoding will do for a NaN
            report["tensors"][name] = {
                "dtype": entry["dtype"],
                "shape": entry["shape"],
                "shard": shard,
                "mismatches": int(np.count_nonzero((stored != want) & ~nan_ok)),
                "elements": int(stored.size),
            }
            total += end - begin
    if index is not None:
        report["index_total_size_ok"] = index["metadata"]["total_size"] == total
        report["index_matches"] = all(index["weight_map"][t] == r["shard"] for t, r in report["tensors"].items())
    print(json.dumps(report))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3])
