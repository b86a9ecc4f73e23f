// Pomeranz's recursion for the exact two-sided Kolmogorov CDF Pr(D_n <= x), used for small n (<= 140) and moderate
// n*x^2, where Durbin's matrix would be large. Row i of the recursion is the previous row convolved with one of three
// truncated Poisson weight sequences; only a short band of each row can be non-zero, so only that band is kept.
import { ldexpNum } from './double-double.js';

const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;

/** Pr(D_n <= x); the answer is n! times the last entry of row 2n+1. Cost O(n * (n x)^2). */
export function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = 1.0 * (t - ll); // fractional part of n x
  const g = Math.min(f, 1.0 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  // (g/n)^m/m!, (2g/n)^m/m!, ((1-2g)/n)^m/m!: Poisson probabilities up to their normalising factor.
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1] * gOverN) / m;
    twogpower[m] = (twogpower[m - 1] * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1] * oneMinusTwoGOverN) / m;
  }

  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0; // index of each row's first stored entry
  let V1s = 0;
  let expnt = 0;
  let j1 = rowBand(0, n, ll, ceilf, roundf)[0];
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0.0);
    const band = rowBand(i, n, ll, ceilf, roundf);
    j1 = band[0];
    const j2 = band[1];
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      const conv = convolve(V0.subarray(k1 - V0s, k1 - V0s + ln2), pwrs.subarray(0, ln2));
      const convStart = j1 - k1;
      V1.set(conv.subarray(convStart, convStart + (j2 - j1 + 1)));
      // Rescale to keep the band from underflowing.
      let max = -Infinity;
      for (const value of V1) if (value > max) max = value;
      if (max > 0 && max < EM128) {
        for (let j = 0; j < V1.length; j++) V1[j] *= EP128;
        expnt -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }

  let ans = V1[n - V1s];
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += E128;
    }
    ans *= m;
  }
  return expnt !== 0 ? ldexpNum(ans, expnt) : ans;
}

/** The band [j1, j2] of row i that can be non-zero. */
function rowBand(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Full discrete convolution, out[k] = sum_i a[i] b[k-i]. */
function convolve(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length - 1);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i];
    if (ai === 0) continue;
    for (let j = 0; j < b.length; j++) out[i + j] += ai * b[j];
  }
  return out;
}
