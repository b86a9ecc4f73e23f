// Double-double arithmetic (an unevaluated sum hi + lo, about 106 bits), with the frexp/ldexp that JavaScript
// lacks. The one-sided Smirnov sum needs it: its terms are powers (1 - x - v/n)^(n-v) whose bases must carry more
// than 53 bits for the result to keep 53. The algorithms are the classical error-free ones (Dekker, Knuth), so
// results agree bit for bit with any other implementation of the same operations.

export interface DD {
  hi: number;
  lo: number;
}

export const dd = (hi: number, lo = 0): DD => ({ hi, lo });

// 2^27 + 1: splits a double into two halves whose products are exact.
const SPLITTER = 134217729;

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const c = s - a;
  return { hi: s, lo: a - (s - c) + (b - c) };
}

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return { hi: s, lo: b - (s - a) };
}

/** The exact product a*b as hi + lo (what fma(a, b, -p) gives), by Dekker's splitting. */
function twoProd(a: number, b: number): DD {
  const p = a * b;
  if (!Number.isFinite(p)) return { hi: p, lo: 0 };
  const [aHi, aLo] = split(a);
  const [bHi, bLo] = split(b);
  return { hi: p, lo: aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo };
}

function split(a: number): [number, number] {
  // Scale huge values by 2^-28 first so that SPLITTER * a cannot overflow.
  if (Math.abs(a) > 6.69692879491417e299) {
    const [hi, lo] = split(a * 2 ** -28);
    return [hi * 268435456, lo * 268435456];
  }
  const t = SPLITTER * a;
  const hi = t - (t - a);
  return [hi, a - hi];
}

export function add(a: DD, b: DD): DD {
  const s = twoSum(a.hi, b.hi);
  const t = twoSum(a.lo, b.lo);
  const u = quickTwoSum(s.hi, s.lo + t.hi);
  return quickTwoSum(u.hi, u.lo + t.lo);
}

export function addNum(a: DD, b: number): DD {
  const s = twoSum(a.hi, b);
  return quickTwoSum(s.hi, s.lo + a.lo);
}

export const sub = (a: DD, b: DD): DD => add(a, { hi: -b.hi, lo: -b.lo });

export function mul(a: DD, b: DD): DD {
  const p = twoProd(a.hi, b.hi);
  return quickTwoSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

export function mulNum(a: DD, b: number): DD {
  const p = twoProd(a.hi, b);
  const q = twoProd(a.lo, b);
  return quickTwoSum(p.hi, q.lo + q.hi + p.lo);
}

/** a / b by long division: three double quotients, each correcting the remainder of the last. */
export function div(a: DD, b: DD): DD {
  const q1 = a.hi / b.hi;
  let r = sub(a, mulNum(b, q1));
  const q2 = r.hi / b.hi;
  r = sub(r, mulNum(b, q2));
  const q3 = r.hi / b.hi;
  return addNum(quickTwoSum(q1, q2), q3);
}

export function floor(a: DD): DD {
  const hi = Math.floor(a.hi);
  if (hi !== a.hi) return { hi, lo: 0 };
  return quickTwoSum(hi, Math.floor(a.lo));
}

// Scratch views for reading a double's exponent bits.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** C's frexp: x = mantissa * 2^exponent with 0.5 <= |mantissa| < 1 (zero, infinities and NaN pass through). */
export function frexpNum(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let bias = 0;
  if (Math.abs(x) < 2.2250738585072014e-308) {
    x *= 18446744073709551616; // 2^64: makes a subnormal normal
    bias = -64;
  }
  f64[0] = x;
  const e = ((u32[HIGH] >>> 20) & 0x7ff) - 1022;
  u32[HIGH] = (u32[HIGH] & 0x800fffff) | (1022 << 20);
  return [f64[0], e + bias];
}

/** C's ldexp: x * 2^e with a single rounding, also when the result is subnormal. */
export function ldexpNum(x: number, e: number): number {
  if (x === 0 || !Number.isFinite(x) || e === 0) return x;
  const [mant, ex] = frexpNum(x);
  const k = ex + e;
  if (k > 1024) return mant * Infinity;
  if (k >= -1021) return mant * 2 * 2 ** (k - 1);
  if (k < -1100) return mant * 0;
  // Exact scaling into the normal range, then the one rounding step.
  return mant * 2 ** (k + 200) * 2 ** -200;
}

export const ldexp = (a: DD, e: number): DD => ({ hi: ldexpNum(a.hi, e), lo: ldexpNum(a.lo, e) });

/** frexp of a double-double, normalised as the hi part is (0.5 <= |hi| <= 1, with lo of the other sign at 1). */
export function frexp(a: DD): [DD, number] {
  let [man, e] = frexpNum(a.hi);
  let lo = ldexpNum(a.lo, -e);
  if (Math.abs(man) === 0.5 && man * lo < 0) {
    man *= 2;
    lo *= 2;
    e -= 1;
  }
  return [{ hi: man, lo }, e];
}
