// One-sided Clopper-Pearson bounds of a binomial proportion: quantiles of Beta distributions (as scipy's beta.ppf),
// found by inverting the regularized incomplete beta function I_x(a, b). I_x is Numerical Recipes' continued fraction
// times the power term x^a y^b / B(a, b), which is assembled from Stirling series so that large a and b (a hundred
// thousand trials) lose no digits to cancelling logarithms. Parameters are whole numbers here.
import { DataError } from '../util/errors.js';
import { normalQuantile } from './normal.js';

const EPS = Number.EPSILON;
const MIN_NORMAL = 2 ** -1022;
const LOG_SQRT_2PI = 0.9189385332046728;
// From here on Stirling's series for ln Γ converges to double precision in eight terms.
const STIRLING_MIN = 10;
const MAX_NEWTON = 200;
// The continued fraction's integer coefficients, about trials², must stay exact in doubles (below 2^53).
const MAX_TRIALS = 2 ** 26;
const MAX_FRACTION_TERMS = 1_000_000;
// 2^27 + 1: splits a double into halves whose products are exact.
const SPLITTER = 134217729;

/**
 * The one-sided (1 − alpha) lower confidence bound for the success probability after `successes` of `trials`: the
 * alpha quantile of Beta(k, n − k + 1), and 0 when k = 0 (statsmodels' proportion_confint(k, n, 2·alpha, "beta")[0]).
 */
export function clopperPearsonLower(successes: number, trials: number, alpha: number): number {
  checkCounts(successes, trials, alpha);
  if (successes === 0) return 0;
  // Beta(n, 1) has CDF x^n.
  if (successes === trials) return Math.pow(alpha, 1 / trials);
  return betaQuantile(successes, trials - successes + 1, alpha, 'lower');
}

/** The one-sided (1 − alpha) upper bound: the 1 − alpha quantile of Beta(k + 1, n − k), and 1 when k = n. */
export function clopperPearsonUpper(successes: number, trials: number, alpha: number): number {
  checkCounts(successes, trials, alpha);
  if (successes === trials) return 1;
  // Beta(1, n) has survival function (1 − x)^n.
  if (successes === 0) return -Math.expm1(Math.log(alpha) / trials);
  return betaQuantile(successes + 1, trials - successes, alpha, 'upper');
}

function checkCounts(successes: number, trials: number, alpha: number): void {
  if (!(Number.isSafeInteger(trials) && trials >= 1 && trials <= MAX_TRIALS)) {
    throw new DataError(`Clopper-Pearson bound: trials must be an integer in [1, ${MAX_TRIALS}], got ${trials}`);
  }
  if (!(Number.isSafeInteger(successes) && successes >= 0 && successes <= trials)) {
    throw new DataError(`Clopper-Pearson bound: successes must be an integer in [0, ${trials}], got ${successes}`);
  }
  if (!(alpha > 0 && alpha < 1)) throw new DataError(`Clopper-Pearson bound: alpha must be in (0, 1), got ${alpha}`);
}

/**
 * The x where the lower tail I_x(a, b) (or the upper tail 1 − I_x(a, b)) equals `target`, by Newton's method on the
 * log of that tail, in ln x for the lower tail and ln(1 − x) for the upper: a tail that vanishes like a power of
 * its variable is then close to linear, and the iterates stay inside (0, 1). A bracket catches overshoots.
 */
function betaQuantile(a: number, b: number, target: number, tail: 'lower' | 'upper'): number {
  const logTarget = Math.log(target);
  let lo = 0;
  let hi = 1;
  let x = initialGuess(a, b, target, tail);
  let best = { x, g: Infinity };
  for (let i = 0; i < MAX_NEWTON; i++) {
    const { lower, upper, front } = incompleteBeta(a, b, x);
    const value = tail === 'lower' ? lower : upper;
    // ln(value/target) from the ratio where it is representable: two large logs would cancel to ~|ln target|·ε.
    const ratio = value / target;
    const g = ratio > 0 && ratio < Infinity ? Math.log(ratio) : Math.log(value) - logTarget;
    if (g === 0) return x;
    if (Math.abs(g) < Math.abs(best.g)) best = { x, g };
    if (g < 0 === (tail === 'lower')) lo = x;
    else hi = x;
    // Within a few ulps of the root, rounding noise in I_x can send Newton back and forth across it.
    if (hi - lo <= 2 * EPS * x) return best.x;
    // d ln I / d ln x = x^a y^b / (B(a, b) · y · I), and likewise for the upper tail in ln y. The step is added as
    // x·(e^Δ − 1) (or taken from y so), which rounds once at the end rather than in e^Δ ≈ 1.
    const next =
      tail === 'lower'
        ? x + x * Math.expm1((-g * value * (1 - x)) / front)
        : x - (1 - x) * Math.expm1((-g * value * x) / front);
    // A converged step may round onto the bracket's end (x itself), so it is tested first.
    if (Math.abs(next - x) <= 2 * EPS * x) return next;
    x = next > lo && next < hi ? next : lo > 0 && hi > 4 * lo ? Math.sqrt(lo * hi) : (lo + hi) / 2;
  }
  return best.x;
}

/** A normal approximation when both shapes are large, else the power law of the tail sought. */
function initialGuess(a: number, b: number, target: number, tail: 'lower' | 'upper'): number {
  const s = a + b;
  const mean = a / s;
  if (a >= STIRLING_MIN && b >= STIRLING_MIN) {
    const z = normalQuantile(target) * (tail === 'lower' ? 1 : -1);
    const x = mean + z * Math.sqrt((a * b) / (s * s * (s + 1)));
    if (x > 0 && x < 1) return x;
  }
  // Near 0, I_x(a, b) ≈ x^a / (a B(a, b)); near 1, 1 − I_x(a, b) ≈ y^b / (b B(a, b)).
  const logBeta = logGamma(a) + logGamma(b) - logGamma(s);
  if (tail === 'lower') {
    const x = Math.exp((Math.log(target * a) + logBeta) / a);
    return x < 1 ? x : mean;
  }
  const logY = (Math.log(target * b) + logBeta) / b;
  return logY < 0 ? -Math.expm1(logY) : mean;
}

interface BetaTails {
  lower: number;
  upper: number;
  /** x^a y^b / B(a, b), which the derivative needs too. */
  front: number;
}

/** I_x(a, b) and its complement, each from the continued fraction on the side where it converges quickly. */
function incompleteBeta(a: number, b: number, x: number): BetaTails {
  if (x <= 0) return { lower: 0, upper: 1, front: 0 };
  if (x >= 1) return { lower: 1, upper: 0, front: 0 };
  const front = powerTerm(a, b, x);
  if (x < (a + 1) / (a + b + 2)) {
    const v = (front / a) * betaFraction(a, b, x, false);
    return { lower: v, upper: 1 - v, front };
  }
  const v = (front / b) * betaFraction(b, a, x, true);
  return { lower: 1 - v, upper: v, front };
}

/** ln(1 − x): 1 − x is exact for x ≥ ½, and log1p keeps the digits of small x. */
function logComplement(x: number): number {
  return x < 0.5 ? Math.log1p(-x) : Math.log(1 - x);
}

/** x^a y^b / B(a, b) with y = 1 − x, for whole numbers a, b ≥ 1 and 0 < x < 1. */
function powerTerm(a: number, b: number, x: number): number {
  const y = 1 - x;
  const s = a + b;
  if (a >= STIRLING_MIN && b >= STIRLING_MIN) {
    // With x0 = a/s and y0 = b/s: a ln(x/x0) + b ln(y/y0) = −a·r(u) − b·r(v), where u = x/x0 − 1, v = y/y0 − 1 and
    // r(t) = t − ln(1 + t), because a·u + b·v = 0; what is left of ln B(a, b) is ½ ln(2π s/(ab)) plus Stirling's
    // corrections. No large logarithms meet, so the result keeps its digits even for a, b in the millions.
    const [sxHi, sxLo] = twoProduct(s, x);
    const lambda = a - sxHi - sxLo;
    const d = a * logRatioDefect(-lambda / a, (s * x) / a) + b * logRatioDefect(lambda / b, (s * y) / b);
    const corrections = stirlingTail(a) + stirlingTail(b) - stirlingTail(s);
    return Math.sqrt((a / (2 * Math.PI)) * (b / s)) * Math.exp(-d - corrections);
  }
  if (a >= STIRLING_MIN || b >= STIRLING_MIN) {
    // One shape small: Γ(s)/Γ(large) by Stirling, the small Γ exactly (a factorial).
    return a < b ? smallLargeTerm(a, b, x * s, logComplement(x)) : smallLargeTerm(b, a, y * s, Math.log(x));
  }
  // Both small: 1/B(a, b) = (s − 1)! / ((a − 1)! (b − 1)!), with factorials exact in doubles.
  const yPower = x >= 0.5 ? Math.pow(y, b) : Math.exp(b * Math.log1p(-x));
  return ((Math.pow(x, a) * yPower) / factorial(a - 1)) * (factorial(s - 1) / factorial(b - 1));
}

/**
 * v^small w^large / B(small, large) for small < 10 ≤ large, given v·s and ln w (s = small + large). By Stirling,
 * ln Γ(s) − ln Γ(large) = (large − ½) ln(1 + t) + small·ln s − small + δ(s) − δ(large) with t = small/large, and
 * (large − ½) ln(1 + t) − small = −t/2 − (large − ½)(t − ln(1 + t)) leaves no terms of size `small` to cancel. The
 * power of v·s is taken by pow, not through its logarithm, whose rounding would cost |ln v|·ε in the far tail.
 */
function smallLargeTerm(small: number, large: number, scaledV: number, logW: number): number {
  const t = small / large;
  const rest =
    large * logW - t / 2 - (large - 0.5) * logRatioDefect(t, 1 + t) + stirlingTail(small + large) - stirlingTail(large);
  const power = Math.pow(scaledV, small);
  const product = power >= MIN_NORMAL ? power * Math.exp(rest) : Math.exp(small * Math.log(scaledV) + rest);
  return product / factorial(small - 1);
}

/**
 * t − ln(1 + t) for t ≥ −1, given 1 + t also formed directly (t near −1 has lost the digits of 1 + t), without
 * cancellation near 0 (via ln(1 + t) = 2 atanh(t/(2 + t))).
 */
function logRatioDefect(t: number, onePlusT: number): number {
  if (Math.abs(t) > 0.5) return t - Math.log(onePlusT);
  const w = t / (2 + t);
  const w2 = w * w;
  // ln(1 + t) = 2(w + w³/3 + w⁵/5 + …) and t − 2w = t·w, so t − ln(1 + t) = t·w − 2(w³/3 + w⁵/5 + …).
  let sum = 0;
  let power = w2 * w;
  for (let k = 3; Math.abs(power) > (EPS / 8) * Math.abs(t * w); k += 2) {
    sum += power / k;
    power *= w2;
  }
  return t * w - 2 * sum;
}

/** δ(z) = ln Γ(z) − [(z − ½) ln z − z + ln √(2π)], Stirling's series, for z ≥ 10 (coefficients B_2k/(2k(2k−1))). */
function stirlingTail(z: number): number {
  const r = 1 / (z * z);
  const series =
    1 / 12 -
    r *
      (1 / 360 -
        r * (1 / 1260 - r * (1 / 1680 - r * (1 / 1188 - r * (691 / 360360 - r * (1 / 156 - (r * 3617) / 122400))))));
  return series / z;
}

/** ln Γ(n) for a whole n ≥ 1; only the starting guess needs it for large n. */
function logGamma(n: number): number {
  if (n < STIRLING_MIN) return Math.log(factorial(n - 1));
  return (n - 0.5) * Math.log(n) - n + LOG_SQRT_2PI + stirlingTail(n);
}

/** n! for a whole n ≤ 22, exact in doubles (the odd part stays under 2^53). */
function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/**
 * The continued fraction of I_z(p, q) / (z^p w^q / (p B(p, q))) by the modified Lentz method, where z = x, or
 * z = 1 − x when `swapped`; x is exact, 1 − x may not be. It converges quickly for z < (p + 1)/(p + q + 2), in about
 * √max(p, q) terms at worst, and stops by itself at m = q. Each odd step 1 + odd·d is rewritten as
 * (1 + odd) − odd·even·d_prev·d, a sum of non-negative terms, with 1 + odd formed exactly from x: near the switch
 * point, or with q in the millions and z the rounded 1 − x, the textbook form cancels away up to half the digits.
 */
function betaFraction(p: number, q: number, x: number, swapped: boolean): number {
  const s = p + q;
  const z = swapped ? 1 - x : x;
  const onePlusOdd = (m: number): number => {
    const den = (p + 2 * m) * (p + 2 * m + 1);
    const coef = (p + m) * (s + m);
    const [hi, lo] = twoProduct(coef, x);
    // den − coef·z, with z = x or 1 − x.
    return (swapped ? den - coef + hi + lo : den - hi - lo) / den;
  };
  let c = 1;
  let d = 1 / onePlusOdd(0);
  let h = d;
  for (let m = 1; m <= MAX_FRACTION_TERMS; m++) {
    const even = (m * (q - m) * z) / ((p + 2 * m - 1) * (p + 2 * m));
    const dPrev = d;
    const cPrev = c;
    d = 1 / (1 + even * d);
    c = 1 + even / c;
    h *= d * c;
    const odd = (-(p + m) * (s + m) * z) / ((p + 2 * m) * (p + 2 * m + 1));
    const base = onePlusOdd(m);
    d = 1 / (base - odd * even * dPrev * d);
    c = base - (odd * even) / (cPrev * c);
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) <= EPS / 2) break;
  }
  return h;
}

/** a·b exactly, as hi + lo (Dekker's splitting; JavaScript has no fused multiply-add). */
function twoProduct(a: number, b: number): [number, number] {
  const hi = a * b;
  const [aHi, aLo] = split(a);
  const [bHi, bLo] = split(b);
  return [hi, aHi * bHi - hi + aHi * bLo + aLo * bHi + aLo * bLo];
}

function split(v: number): [number, number] {
  const t = SPLITTER * v;
  const hi = t - (t - v);
  return [hi, v - hi];
}
