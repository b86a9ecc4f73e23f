// Survival function of the exact two-sided one-sample Kolmogorov statistic D_n (what scipy calls kstwo), choosing
// among methods by (n, n*x^2) as Simard and L'Ecuyer recommend and as scipy's kstwo.sf does:
//   Ruben-Gambino closed forms at the ends of the support; 2*smirnov (exact when x >= 1/2, where the two one-sided
//   events are disjoint, and an excellent approximation for large n*x^2); Durbin's matrix method (as Marsaglia, Tsang
//   and Wang evaluate it) or Pomeranz's recursion for small n; the Pelz-Good expansion for large n.
// The two-sample test uses it with n = round(n1*n2/(n1+n2)) when the exact lattice count is not attempted.
import { ldexpNum } from './double-double.js';
import { smirnovSf } from './smirnov.js';
import { pomeranzCdf } from './pomeranz.js';

const SQRT2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;
const MIN_LOG = -708;
const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
// B_2j / (2j (2j-1)) for j = 8..1, highest first: the Stirling series for log n!.
const STIRLING = [
  -2.9550653594771242e-2, 6.41025641025641e-3, -1.9175269175269176e-3, 8.417508417508417e-4, -5.952380952380953e-4,
  7.936507936507937e-4, -2.777777777777778e-3, 8.333333333333333e-2,
];

const clip01 = (p: number): number => (p < 0 ? 0 : p > 1 ? 1 : p);

/** Pr(D_n >= x) for an integer sample size n >= 1 (NaN otherwise), 0 <= x <= 1. */
export function kstwoSf(x: number, n: number): number {
  if (!(n >= 1 && Number.isInteger(n)) || Number.isNaN(x)) return NaN;
  // The support is [1/(2n), 1].
  if (x <= 0.5 / n) return 1;
  if (x >= 1) return 0;
  return kolmogorovSf(n, x);
}

function kolmogorovSf(n: number, x: number): number {
  const t = n * x;
  if (t <= 1.0) {
    // Ruben-Gambino: Pr(D_n <= x) = n!/n^n (2t-1)^n for 1/(2n) <= x <= 1/n.
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1.0 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1.0 - prob);
  }
  if (t >= n - 1) return clip01(2 * Math.pow(1.0 - x, n)); // Ruben-Gambino, upper end
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x));

  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return clip01(1.0 - clip01(durbinMatrixCdf(n, x)));
    if (nxSquared <= 4) return clip01(1.0 - clip01(pomeranzCdf(n, x)));
    return clip01(2 * smirnovSf(n, x));
  }
  if (nxSquared >= 370.0) return 0.0;
  if (nxSquared >= 2.2) return clip01(2 * smirnovSf(n, x));
  const cdf = n <= 100000 && n * Math.pow(x, 1.5) <= 1.4 ? clip01(durbinMatrixCdf(n, x)) : pelzGoodCdf(n, x);
  return clip01(1.0 - cdf);
}

/** log(n! / n^n) by Stirling's series, with n log n taken out before it can cancel. */
function logFactorialOverPower(n: number): number {
  const rn = 1.0 / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/**
 * Durbin's matrix method: Pr(D_n <= x) = n!/n^n * (H^n)[k,k] for a (2k-1)-square H, with k = ceil(n x). Costs
 * O(k^3 log n); the power and the n!/n^n factor are rescaled by 2^±128 as they go, the exponent kept apart.
 */
function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1.0) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;

  // First column v[j] = (1 - h^(j+1)) / (j+1)!, w[j] = 1/j!, last entry corrected for the corner.
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1.0;
  for (let j = 1; j <= m; j++) {
    v[j - 1] = 1.0 - Math.pow(h, j);
    w[j - 1] = fac;
    fac /= j; // may underflow, harmlessly
    v[j - 1] *= fac;
  }
  const tt = Math.pow(Math.max(2 * h - 1.0, 0), m) - 2 * Math.pow(h, m);
  v[m - 1] = (1.0 + tt) * fac;

  let H: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1];
  for (let r = 0; r < m; r++) H[r * m] = v[r];
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];

  let power: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let nn = n;
  let expnt = 0; // scaling of power
  let hExpnt = 0; // scaling of H
  const kk = (k - 1) * m + (k - 1);
  while (nn > 0) {
    if (nn % 2) {
      power = matmul(power, H, m);
      expnt += hExpnt;
    }
    H = matmul(H, H, m);
    hExpnt *= 2;
    if (Math.abs(H[kk]) > EP128) {
      for (let i = 0; i < H.length; i++) H[i] /= EP128;
      hExpnt += E128;
    }
    nn = Math.floor(nn / 2);
  }

  let p = power[kk];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= E128;
    }
  }
  return expnt !== 0 ? ldexpNum(p, expnt) : p;
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k];
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] += aik * b[k * m + j];
    }
  }
  return out;
}

/**
 * The Pelz-Good asymptotic expansion of Pr(D_n <= x) in powers of 1/sqrt(n), its theta-function sums evaluated by
 * Horner's scheme over odd integers (suited to small z = x sqrt(n)).
 */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0.0) return 0;
  if (x >= 1.0) return 1;
  const z = Math.sqrt(n) * x;
  const zsquared = Math.pow(z, 2);
  const zthree = Math.pow(z, 3);
  const zfour = Math.pow(z, 4);
  const zsix = Math.pow(z, 6);

  const qlog = -PI_SQUARED / 8 / zsquared;
  if (qlog < MIN_LOG) return 0; // z below about 0.0417
  let q = Math.exp(qlog);

  const k1a = -zsquared;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * zsix + 2 * zfour;
  const k2b = ((2 * zfour - 5 * zsquared) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * zsquared)) / 16;
  const k3d = (PI_SIX * (5 - 30 * zsquared)) / 64;
  const k3c = (PI_FOUR * (-60 * zsquared + 212 * zfour)) / 16;
  const k3b = (PI_SQUARED * (135 * zfour - 96 * zsix)) / 4;
  const k3a = -30 * zsix - 90 * Math.pow(z, 8);

  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const msquared = m * m;
    const mfour = msquared * msquared;
    const msix = mfour * msquared;
    const qpower = Math.pow(q, 8 * k);
    const coeffs = [
      1.0,
      k1a + k1b * msquared,
      k2a + k2b * msquared + k2c * mfour,
      k3a + k3b * msquared + k3c * mfour + k3d * msix,
    ];
    for (let i = 0; i < 4; i++) K[i] = K[i] * qpower + coeffs[i];
  }
  const denominators = [z, 6 * zfour, 72 * Math.pow(z, 7), 6480 * Math.pow(z, 10)];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * SQRT2PI) / denominators[i];

  // The remaining sums over all integers k, for K2 and K3, have little cancellation: sum directly.
  q = Math.exp(-PI_SQUARED / 2 / zsquared);
  const sqrt3z = Math.sqrt(3) * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const ksquared = k * k;
    const qpwer = Math.pow(q, ksquared);
    const kspi = Math.PI * k;
    k2extra += ksquared * qpwer;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpwer;
  }
  K[2] += k2extra * ((PI_SQUARED * SQRT2PI) / (-36 * zthree));
  K[3] += k3extra * ((PI_SQUARED * SQRT2PI) / (216 * zsix));
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i] / Math.pow(n * 1.0, i / 2.0);
  return sum;
}
