// The standard normal CDF Φ and its inverse in float64, to a few ulps over the whole range (including subnormal
// tails). The lower tail is Φ(−t) = φ(t)·M(t) with the Mills ratio M as a continued fraction, or ½ − φ(t)·S(t) with
// a power series near the centre; the quantile solves Φ(−t) = q by Newton's method on these same functions.
import { DataError } from '../util/errors.js';

const INV_SQRT_2PI = 0.3989422804014327;
const LOG_SQRT_2PI = 0.9189385332046728;
// Below this t the series ½ − φ(t)S(t) loses at most a factor 2 to cancellation; above it the fraction is cheaper.
const SERIES_LIMIT = 0.75;
// Φ(−t) underflows to zero beyond this.
const UNDERFLOW_T = 39;
// exp(−t²/2) leaves the normal range near t = 37.6; below it the tail is scaled up by 2^600 and back down once.
const SCALED_T = 37;
const SCALE = 2 ** 600;
const TIE = 2 ** 20;
const EPS = Number.EPSILON;
const MAX_NEWTON = 100;

/** Φ(x), the standard normal CDF (scipy's norm.cdf). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return lowerTail(-x);
  if (x < SERIES_LIMIT) return 0.5 + density(x) * centralSeries(x);
  return 1 - lowerTail(x);
}

/** Φ⁻¹(p), the standard normal quantile (scipy's norm.ppf); ±Infinity at p = 0 and 1. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new DataError(`normal quantile: probability must be in [0, 1], got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // 1 − p is exact for p ≥ ½ (Sterbenz), so the upper half mirrors the lower one without losing digits.
  return p < 0.5 ? -tailQuantile(p) : tailQuantile(1 - p);
}

/** Φ(−t) for t ≥ 0. */
function lowerTail(t: number): number {
  if (t < SERIES_LIMIT) return 0.5 - density(t) * centralSeries(t);
  if (t >= UNDERFLOW_T) return 0;
  const head = roundHead(t);
  const rest = Math.exp(-((t - head) * (t + head)) / 2) * millsFraction(t) * INV_SQRT_2PI;
  if (t < SCALED_T) return Math.exp(-(head * head) / 2) * rest;
  const quarter = Math.exp(-(head * head) / 4);
  return (quarter * (quarter * SCALE) * rest) / SCALE;
}

/** φ(t) = exp(−t²/2)/√(2π), with t² split so that its rounding does not reach the exponent (t < 37). */
function density(t: number): number {
  const head = roundHead(t);
  return Math.exp(-(head * head) / 2) * Math.exp(-((t - head) * (t + head)) / 2) * INV_SQRT_2PI;
}

/** t rounded to a multiple of 2^-20: under 26 significant bits for t < 64, so head·head is exact. */
function roundHead(t: number): number {
  return Math.round(t * TIE) / TIE;
}

/** S(t) = Σ t^(2n+1)/(2n+1)!!, so that Φ(t) = ½ + φ(t)·S(t); all terms positive. */
function centralSeries(t: number): number {
  const t2 = t * t;
  let term = t;
  let sum = t;
  for (let n = 1; term > EPS * sum * 0.25; n++) {
    term *= t2 / (2 * n + 1);
    sum += term;
  }
  return sum;
}

/**
 * The Mills ratio M(t) = Φ(−t)/φ(t) = t/(t²+1 − 2/(t²+5 − 12/(t²+9 − …))), the even part of Laplace's fraction,
 * evaluated from the bottom up (more stable than forward Lentz here). The depth needed grows as 1/t²; the count
 * below reaches 1e-17 with margin for every t ≥ 0.6.
 */
function millsFraction(t: number): number {
  const t2 = t * t;
  const depth = Math.ceil(240 / t2) + 6;
  let v = t2 + 4 * depth + 1;
  for (let k = depth; k > 0; k--) v = t2 + 4 * k - 3 - (2 * k * (2 * k - 1)) / v;
  return t / v;
}

/** The t ≥ 0 with Φ(−t) = q, for 0 < q < ½. */
function tailQuantile(q: number): number {
  return q >= 0.25 ? centralQuantile(0.5 - q) : farQuantile(q);
}

/**
 * Solves φ(t)S(t) = d (d = ½ − q, exact) by Newton from t = 0. Φ(t) − ½ is concave for t ≥ 0, so the iterates rise
 * monotonically to the root, and working with d rather than q keeps full relative accuracy as t → 0.
 */
function centralQuantile(d: number): number {
  let t = 0;
  for (let i = 0; i < MAX_NEWTON; i++) {
    const step = d / density(t) - centralSeries(t);
    t += step;
    if (Math.abs(step) <= EPS * t) break;
  }
  return t;
}

/**
 * Solves ln Φ(−t) = ln q by Newton; ln Φ(−t) is concave with derivative −1/M(t), so after the first step the
 * iterates fall monotonically to the root. Logs keep subnormal q and t near 38 as accurate as the rest.
 */
function farQuantile(q: number): number {
  const logQ = Math.log(q);
  const r = -2 * logQ;
  let t = Math.sqrt(Math.max(r - Math.log(r) - 2 * LOG_SQRT_2PI, 0.25));
  for (let i = 0; i < MAX_NEWTON; i++) {
    let logTail: number;
    let mills: number;
    if (t < SERIES_LIMIT) {
      const tail = lowerTail(t);
      logTail = Math.log(tail);
      mills = tail / density(t);
    } else {
      mills = millsFraction(t);
      logTail = -(t * t) / 2 - LOG_SQRT_2PI + Math.log(mills);
    }
    const step = (logTail - logQ) * mills;
    t += step;
    if (Math.abs(step) <= EPS * t) break;
  }
  return t;
}
