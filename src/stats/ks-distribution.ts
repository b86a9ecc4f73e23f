// Null distribution of the two-sided two-sample Kolmogorov-Smirnov statistic D for sample sizes n and m: the p-value
// exactly as scipy's ks_2samp(..., alternative='two-sided') computes it, and the critical value at a level alpha.
//
// Cost of one ksPValue call, by branch (times on one busy core):
//   exact, n == m:  O(n + h) flops, h = D*n (a closed-form alternating sum); n = m = 4096: about 20 microseconds.
//   exact, n != m:  O(max(n,m) * band) with a band of about 2*D*min(n,m) rows (outerProbInsideMethod); n = 4096,
//                   m = 4000: 1.6M flops, about 10 ms, at D = 0.05; 33M, about 0.1 s, at D = 1.
//   asymptotic:     kstwo.sf at N = round(n m / (n + m)). Where N D^2 >= 2.2 it is 2*smirnov, a sum of up to
//                   N(1-D) double-double terms: about 0.3 s at N = 1e5 (scipy's compiled code: about half that).
//                   Nearer the bulk, Durbin's matrix, O(k^3 log N) with k = ceil(N D) (milliseconds), or the
//                   Pelz-Good series, O(1). Beyond N D^2 = 370 the p-value is 0 at once.
import { DataError } from '../util/errors.js';
import { kstwoSf } from './kolmogorov-n.js';
import { outerProbInsideMethod, probOutsideSquare } from './ks-lattice-paths.js';

export type KsMethod = 'auto' | 'exact' | 'asymp';

const METHODS: readonly KsMethod[] = ['auto', 'exact', 'asymp'];
// 'auto' counts paths exactly up to this size, as ks_2samp does, and uses the asymptotic distribution above it.
const MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

/** The p-value of a two-sided two-sample KS statistic d for sample sizes n and m. */
export function ksPValue(d: number, n: number, m: number, method: KsMethod = 'auto'): number {
  checkSizes(n, m);
  checkMethod(method);
  if (!(d >= 0 && d <= 1)) throw new DataError(`KS statistic must be in [0, 1], got ${d}`);
  const g = gcd(n, m);
  let mode = method;
  if (mode === 'auto') mode = Math.max(n, m) <= MAX_AUTO_N ? 'exact' : 'asymp';
  // An explicit 'exact' whose lattice would not fit an int32 silently becomes asymptotic (scipy warns).
  else if (mode === 'exact' && n / g >= INT32_MAX / (m / g)) mode = 'asymp';
  let prob = NaN;
  if (mode === 'exact') {
    const exact = exactPValue(d, n, m, g);
    // The statistic is snapped to the lattice even when the exact count then fails.
    d = exact.d;
    if (exact.ok) prob = exact.prob;
    else mode = 'asymp';
  }
  if (mode === 'asymp') {
    const big = Math.max(n, m);
    const small = Math.min(n, m);
    prob = kstwoSf(d, roundHalfEven((big * small) / (big + small)));
  }
  // Clip as NumPy does: NaN stays NaN (it only arises for n = m = 1 under 'asymp', where N rounds to 0).
  return prob < 0 ? 0 : prob > 1 ? 1 : prob;
}

/**
 * D is always a multiple of 1/lcm(n, m); the exact count works with h = round(d * lcm). A count that comes out
 * outside [0, 1] (rounding, e.g. 1 + 2^-52 at h = 1) is a failure, and the caller falls back to the asymptotic form.
 */
function exactPValue(d: number, n: number, m: number, g: number): { ok: boolean; d: number; prob: number } {
  const lcm = (n / g) * m;
  const h = roundHalfEven(d * lcm);
  const snapped = (h * 1.0) / lcm;
  if (h === 0) return { ok: true, d: snapped, prob: 1.0 };
  const prob = n === m ? probOutsideSquare(n, h) : outerProbInsideMethod(n, m, g, h);
  return { ok: prob >= 0 && prob <= 1, d: snapped, prob };
}

/**
 * The smallest attainable D (a multiple of 1/lcm(n, m)) whose p-value is <= alpha, by bisection over the lattice
 * (the p-value does not increase with D): a row is rejected at level alpha exactly when its D >= this value.
 * Compare lattice indices rather than floats when D comes from a different computation (a/n - b/m can land one ulp
 * below h/lcm). Infinity when even D = 1 is not significant (tiny samples). The search starts at the large-sample
 * approximation and gallops out from it, so it evaluates p-values only near the answer: a few ksPValue calls plus
 * log2 of the approximation's error in lattice steps.
 */
export function ksCriticalValue(alpha: number, n: number, m: number, method: KsMethod = 'auto'): number {
  checkAlpha(alpha);
  checkSizes(n, m);
  checkMethod(method);
  const lcm = (n / gcd(n, m)) * m;
  if (lcm > Number.MAX_SAFE_INTEGER) throw new DataError(`KS lattice 1/lcm(${n}, ${m}) is too fine to search`);
  // h = 0 (D = 0) has p = 1 > alpha; find lo < hi with p(lo) > alpha >= p(hi).
  const significant = (h: number): boolean => h > 0 && ksPValue(h / lcm, n, m, method) <= alpha;
  const guess = Math.min(Math.max(Math.ceil(ksCriticalValueApprox(alpha, n, m) * lcm), 1), lcm);
  let lo: number;
  let hi: number;
  if (significant(guess)) {
    hi = guess;
    for (let step = 1; ; step *= 2) {
      lo = Math.max(hi - step, 0);
      if (!significant(lo)) break;
      hi = lo;
    }
  } else {
    lo = guess;
    for (let step = 1; ; step *= 2) {
      if (lo === lcm) return Infinity;
      hi = Math.min(lo + step, lcm);
      if (significant(hi)) break;
      lo = hi;
    }
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (significant(mid)) hi = mid;
    else lo = mid;
  }
  return hi / lcm;
}

/**
 * The large-sample critical value c(alpha) * sqrt((n + m) / (n m)) with c(alpha) = sqrt(-ln(alpha / 2) / 2), the
 * formula the KS-Lottery paper gives; it ignores the lattice and the finite-sample correction.
 */
export function ksCriticalValueApprox(alpha: number, n: number, m: number): number {
  checkAlpha(alpha);
  checkSizes(n, m);
  return Math.sqrt(-0.5 * Math.log(alpha / 2)) * Math.sqrt((n + m) / (n * m));
}

function checkSizes(n: number, m: number): void {
  for (const [name, size] of [
    ['n', n],
    ['m', m],
  ] as const) {
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new DataError(`KS sample size ${name} must be a positive integer, got ${size}`);
    }
  }
}

function checkMethod(method: KsMethod): void {
  if (!METHODS.includes(method)) throw new DataError(`KS method must be one of ${METHODS.join(', ')}, got ${method}`);
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new DataError(`significance level alpha must be in (0, 1), got ${alpha}`);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** NumPy's round: to the nearest integer, ties to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff !== 0.5) return diff < 0.5 ? f : f + 1;
  return f % 2 === 0 ? f : f + 1;
}
