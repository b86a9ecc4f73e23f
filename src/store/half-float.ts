// 16-bit floats <-> float32: IEEE half (F16) and bfloat16 (BF16), the dtypes language-model checkpoints ship in.
// Narrowing rounds to nearest, ties to even, as PyTorch and numpy do; widening is exact.

let halfTable: Float32Array | null = null;

/** Every half's float32 value, built once (256 KB): decoding is then one lookup per element. */
function halfValues(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0)
      table[h] = sign * frac * 2 ** -24; // zero and subnormals
    else if (exp === 0x1f) table[h] = frac ? NaN : sign * Infinity;
    else table[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  halfTable = table;
  return table;
}

/** IEEE half bits -> float32 values (exact); `out` defaults to a new array. */
export function halfToFloat(h: Uint16Array, out: Float32Array = new Float32Array(h.length)): Float32Array {
  const table = halfValues();
  for (let i = 0; i < h.length; i++) out[i] = table[h[i]!]!;
  return out;
}

/** bfloat16 bits -> float32 values (exact: a bfloat16 is the top half of a float32). */
export function bfloat16ToFloat(h: Uint16Array, out: Float32Array = new Float32Array(h.length)): Float32Array {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < h.length; i++) bits[i] = h[i]! << 16;
  return out;
}

/** float32 values -> IEEE half bits, round to nearest even; beyond ±65504 rounds to ±Infinity. */
export function floatToHalf(f: Float32Array, out: Uint16Array = new Uint16Array(f.length)): Uint16Array {
  const bits = new Uint32Array(f.buffer, f.byteOffset, f.length);
  for (let i = 0; i < f.length; i++) out[i] = halfBits(bits[i]!);
  return out;
}

/** float32 values -> bfloat16 bits, round to nearest even; NaN becomes the quiet NaN 0x7fc0 (as in PyTorch). */
export function floatToBfloat16(f: Float32Array, out: Uint16Array = new Uint16Array(f.length)): Uint16Array {
  const bits = new Uint32Array(f.buffer, f.byteOffset, f.length);
  for (let i = 0; i < f.length; i++) {
    const x = bits[i]!;
    // Adding 0x7fff plus the kept part's lowest bit rounds the dropped 16 bits to nearest, ties to even.
    out[i] = (x & 0x7fffffff) > 0x7f800000 ? 0x7fc0 : (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}

function halfBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0); // NaN stays a (quiet) NaN
  if (exp > 142) return sign | 0x7c00; // 2^16 and above
  if (exp >= 113) {
    // Normal half: keep 10 of 23 mantissa bits; a carry out of the mantissa correctly bumps the exponent.
    const h = ((exp - 112) << 10) | (mant >>> 13);
    return sign | roundEven(h, mant & 0x1fff, 0x1000);
  }
  if (exp < 102) return sign; // below half of the smallest subnormal (2^-25)
  const shift = 126 - exp; // subnormal half: units of 2^-24, implicit leading bit made explicit
  const m = mant | 0x800000;
  return sign | roundEven(m >>> shift, m & ((1 << shift) - 1), 1 << (shift - 1));
}

function roundEven(kept: number, dropped: number, halfway: number): number {
  return dropped > halfway || (dropped === halfway && kept & 1) ? kept + 1 : kept;
}
