import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DataError } from '../src/util/errors.js';
import { normalCdf, normalQuantile } from '../src/stats/normal.js';
import { clopperPearsonLower, clopperPearsonUpper } from '../src/stats/binomial-bound.js';
import { certifiedRadius, certifyCounts } from '../src/stats/smoothing-certificate.js';
import { repoRoot } from './helpers/cli.js';

const hasScipy = spawnSync('python3', ['-c', 'import scipy'], { stdio: 'ignore' }).status === 0;
const MIN_NORMAL = 2 ** -1022;

function relativeError(got: number, want: number): number {
  if (got === want) return 0;
  return Math.abs(got - want) / Math.abs(want);
}

function assertClose(got: number, want: number, tolerance: number, what: string): void {
  const err = relativeError(got, want);
  assert.ok(err <= tolerance, `${what}: got ${got}, want ${want} (relative error ${err})`);
}

/** P(Bin(n, p) ≥ m), summed upward from j = m: for the cases below the terms fall from the first one on. */
function binomialUpperTail(m: number, n: number, p: number): number {
  const r = Math.min(m, n - m);
  let choose = 1; // C(n, m) = C(n, r), a short product for the r ≤ 10 used here
  for (let i = 1; i <= r; i++) choose *= (n - r + i) / i;
  let term = choose * Math.pow(p, m) * Math.pow(1 - p, n - m);
  let sum = 0;
  for (let j = m; j <= n && term > 1e-18 * sum; j++) {
    sum += term;
    term *= ((n - j) / (j + 1)) * (p / (1 - p));
  }
  return sum;
}

describe('normal distribution: hand-checked values', () => {
  test('quantiles', () => {
    // scipy's norm.ppf gives Φ⁻¹(0.975) = 1.959963984540054 and Φ⁻¹(0.9) = 1.2815515655446004. The exact values at
    // these doubles are 1.95996398454005385560… and 1.28155156554460059349…, whose nearest doubles
    // (1.9599639845400538, 1.2815515655446006) are one unit in the last place from scipy's: allow two.
    assertClose(normalQuantile(0.975), 1.959963984540054, 3e-16, 'Φ⁻¹(0.975)');
    assertClose(normalQuantile(0.9), 1.2815515655446004, 3e-16, 'Φ⁻¹(0.9)');
    assert.equal(normalQuantile(0.975), 1.9599639845400538);
    assert.equal(normalQuantile(0.9), 1.2815515655446006);
    // Φ⁻¹(p) = −Φ⁻¹(1 − p) exactly, as 1 − p is exact for p ≥ ½.
    assert.equal(normalQuantile(0.9), -normalQuantile(1 - 0.9));
    assert.equal(normalQuantile(0.5), 0);
    assert.equal(normalQuantile(0), -Infinity);
    assert.equal(normalQuantile(1), Infinity);
    // Φ⁻¹(½ + d) = √(2π)·d·(1 + πd²/3 + …): at d = 2^-33 the correction is 4e-21, so the quantile is
    // √(2π)·2^-33 = 2.5066282746310007 · 2^-33 to double precision (½ + 2^-33 is exact).
    assertClose(normalQuantile(0.5 + 2 ** -33), 2.5066282746310007 * 2 ** -33, 2e-16, 'Φ⁻¹(½ + 2^-33)');
  });

  test('CDF', () => {
    assert.equal(normalCdf(0), 0.5);
    assert.equal(normalCdf(-Infinity), 0);
    assert.equal(normalCdf(Infinity), 1);
    assert.ok(Number.isNaN(normalCdf(NaN)));
    // Φ(−1) = ½ erfc(1/√2) = 0.15865525393145705141…, Φ(1) = 0.84134474606854294858…
    assertClose(normalCdf(-1), 0.15865525393145705, 2e-16, 'Φ(−1)');
    assertClose(normalCdf(1), 0.8413447460685429, 2e-16, 'Φ(1)');
    // Φ(−38) = φ(38)/38 · (1 − 1/38² + 3/38⁴ − 15/38⁶ + …) = 2.88542836006878431e-316 = 58401720.18 · 2^-1074:
    // subnormal, so the nearest double is 58401720 · 2^-1074 (scipy's ndtr flushes this range to 0).
    assert.equal(normalCdf(-38), 58401720 * Number.MIN_VALUE);
    assert.equal(normalCdf(-39), 0);
  });

  test('probabilities outside [0, 1] are rejected', () => {
    for (const p of [-0.1, 1.1, NaN, -Infinity]) assert.throws(() => normalQuantile(p), DataError, `p = ${p}`);
  });
});

describe('smoothing certificate: hand-checked values', () => {
  test('certifiedRadius', () => {
    // σ·Φ⁻¹(p_A) = 0.5 · 1.2815515655446004 = 0.6407757827723002 (two ulps allowed, as for Φ⁻¹(0.9) above).
    assertClose(certifiedRadius(0.9, 0.5), 0.6407757827723002, 3e-16, 'R(0.9, σ = 0.5)');
    // σ/2 · (Φ⁻¹(0.8) − Φ⁻¹(0.1)) = 0.125 · (0.8416212335729143 + 1.2815515655446004) = 0.125 · 2.1231727991175147
    // = 0.26539659988968933.
    assertClose(certifiedRadius(0.8, 0.25, 0.1), 0.26539659988968933, 3e-16, 'R(0.8, σ = 0.25, p_B = 0.1)');
    // p_B = 1 − p_A by default: the two-argument form agrees with the explicit one.
    assertClose(certifiedRadius(0.7, 2), certifiedRadius(0.7, 2, 1 - 0.7), 2e-16, 'default p_B');
    // Abstain at p_A ≤ ½ or p_A ≤ p_B.
    assert.equal(certifiedRadius(0.5, 1), 0);
    assert.equal(certifiedRadius(0.3, 1), 0);
    assert.equal(certifiedRadius(0.6, 1, 0.6), 0);
    assert.equal(certifiedRadius(0.6, 1, 0.7), 0);
  });

  test('certifyCounts: 990 of 1000 at alpha = 0.001', () => {
    // p_A is the 0.001 quantile of Beta(990, 11) (scipy: 0.9760361871553114), the p at which
    // P(Bin(1000, p) ≥ 990) = Σ_{j=990}^{1000} C(1000, j) p^j (1 − p)^(1000−j) = 0.001; then
    // R = 0.25 · Φ⁻¹(0.9760361871553114) = 0.25 · 1.9780095821411994 = 0.49450239553529984.
    const cert = certifyCounts({ topCount: 990, trials: 1000, alpha: 0.001, sigma: 0.25 });
    assertClose(cert.pALower, 0.9760361871553114, 2e-16, 'p_A lower bound');
    assertClose(binomialUpperTail(990, 1000, cert.pALower), 0.001, 1e-12, 'binomial tail at the bound');
    assertClose(cert.radius, 0.49450239553529984, 3e-16, 'radius');
    assert.equal(cert.abstain, false);
  });

  test('certifyCounts abstains when the bound is at most ½', () => {
    // 520 of 1000 at alpha = 0.001: the bound is 0.4706744673534513 (scipy's beta.ppf(0.001, 520, 481)).
    const cert = certifyCounts({ topCount: 520, trials: 1000, alpha: 0.001, sigma: 0.25 });
    assertClose(cert.pALower, 0.4706744673534513, 1e-15, 'p_A lower bound');
    assert.deepEqual({ radius: cert.radius, abstain: cert.abstain }, { radius: 0, abstain: true });
    assert.equal(certifyCounts({ topCount: 0, trials: 10, alpha: 0.05, sigma: 1 }).pALower, 0);
  });

  test('bad arguments are rejected', () => {
    assert.throws(() => certifiedRadius(0.9, 0), DataError);
    assert.throws(() => certifiedRadius(0.9, -1), DataError);
    assert.throws(() => certifiedRadius(0.9, NaN), DataError);
    assert.throws(() => certifiedRadius(1.2, 1), DataError);
    assert.throws(() => certifiedRadius(0.9, 1, -0.1), DataError);
    assert.throws(() => certifyCounts({ topCount: 9, trials: 10, alpha: 0.05, sigma: 0 }), DataError);
    assert.throws(() => certifyCounts({ topCount: 11, trials: 10, alpha: 0.05, sigma: 1 }), DataError);
  });
});

describe('Clopper-Pearson bounds: hand-checked values', () => {
  test('closed forms at the ends', () => {
    // Beta(n, 1) has CDF x^n, so k = n gives alpha^(1/n); Beta(1, n) gives 1 − alpha^(1/n) for k = 0 above.
    assert.equal(clopperPearsonLower(1, 1, 0.05), 0.05);
    assert.equal(clopperPearsonUpper(0, 1, 0.05), 0.95);
    assertClose(clopperPearsonLower(10, 10, 0.05), Math.pow(0.05, 1 / 10), 2e-16, 'k = n');
    // 1 − 0.05^(1/10) = 0.258865550893052278…; ours and the closed form are each within an ulp of it.
    assertClose(clopperPearsonUpper(0, 10, 0.05), -Math.expm1(Math.log(0.05) / 10), 4e-16, 'k = 0');
    assert.equal(clopperPearsonLower(0, 10, 0.05), 0);
    assert.equal(clopperPearsonUpper(10, 10, 0.05), 1);
  });

  test('the bound solves the binomial tail equation', () => {
    // The lower bound p has P(Bin(n, p) ≥ k) = alpha, the upper one P(Bin(n, p) ≤ k) = P(Bin(n, 1 − p) ≥ n − k) = alpha.
    for (const [k, n, alpha] of [
      [9, 10, 0.05],
      [95, 100, 0.05],
      [3, 100, 0.01],
      [990, 1000, 1e-6],
      [997, 1000, 0.25],
    ]) {
      const lower = clopperPearsonLower(k, n, alpha);
      assertClose(binomialUpperTail(k, n, lower), alpha, 1e-11, `P(Bin(${n}, lower) ≥ ${k})`);
      const upper = clopperPearsonUpper(k, n, alpha);
      assertClose(binomialUpperTail(n - k, n, 1 - upper), alpha, 1e-11, `P(Bin(${n}, upper) ≤ ${k})`);
    }
  });

  test('bad counts are rejected', () => {
    for (const [k, n, a] of [
      [5, 4, 0.05],
      [-1, 4, 0.05],
      [1.5, 4, 0.05],
      [1, 0, 0.05],
      [1, 4, 0],
      [1, 4, 1],
      [1, 2 ** 27, 0.05],
    ]) {
      assert.throws(() => clopperPearsonLower(k, n, a), DataError, `${k}/${n} at ${a}`);
      assert.throws(() => clopperPearsonUpper(k, n, a), DataError, `${k}/${n} at ${a}`);
    }
  });
});

type BoundCase = [k: number, n: number, alpha: number];
interface OracleCases {
  cdf: number[];
  ppf: number[];
  lower: BoundCase[];
  upper: BoundCase[];
}

function oracleCases(): OracleCases {
  const cdf: number[] = [];
  for (let i = 0; i <= 184; i++) cdf.push(-38 + i / 4);
  cdf.push(-37.66, -37.6, -1e-3, 1e-8, 0.7499, 0.7501, 2.3456789);
  const ppf = [0, 1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-10, 1e-5, 1e-3, 0.025, 0.2266, 0.25, 0.2500001, 0.499999];
  for (let e = 1; e <= 300; e += 7) ppf.push(10 ** -e);
  for (let i = 1; i < 64; i++) ppf.push(i / 64);
  ppf.push(0.5, 0.5 + 1e-16, 0.975, 1 - 1e-6, 1 - 1e-10, 1 - 1e-12, 1 - 1e-15, 1 - 1e-16, 1, 1e-310, 5e-324);
  const bounds: BoundCase[] = [];
  for (const n of [1, 2, 5, 10, 37, 100, 1000, 12345, 100000]) {
    const ks = new Set([0, 1, 2, 3, 10, Math.floor(n / 3), Math.floor(n / 2), n - 10, n - 3, n - 2, n - 1, n]);
    if (n === 100000) [50, 99000, 99900, 99990].forEach((k) => ks.add(k));
    for (const k of [...ks].filter((k) => k >= 0 && k <= n)) {
      for (const alpha of [1e-10, 1e-6, 0.001, 0.01, 0.05, 0.25, 0.5]) bounds.push([k, n, alpha]);
    }
  }
  return { cdf, ppf, lower: bounds, upper: bounds };
}

function runScipy(cases: OracleCases): Record<keyof OracleCases, number[]> {
  const script = path.join(repoRoot, 'test', 'helpers', 'smoothing_scipy.py');
  const r = spawnSync('python3', [script], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, `smoothing_scipy.py failed: ${r.stderr}`);
  const special: Record<string, number> = { inf: Infinity, '-inf': -Infinity, nan: NaN };
  const toNumber = (s: string) => special[s] ?? Number(s);
  const out = JSON.parse(r.stdout) as Record<keyof OracleCases, string[]>;
  return {
    cdf: out.cdf.map(toNumber),
    ppf: out.ppf.map(toNumber),
    lower: out.lower.map(toNumber),
    upper: out.upper.map(toNumber),
  };
}

/** Checks every case, and reports the worst relative error for the record. */
function compareAll<C>(
  t: { diagnostic: (message: string) => void },
  cases: C[],
  want: number[],
  ours: (c: C) => number,
  tolerance: number,
  error = relativeError,
): void {
  let worst = { err: 0, at: '' };
  cases.forEach((c, i) => {
    const got = ours(c);
    const err = error(got, want[i]);
    assert.ok(err <= tolerance, `${JSON.stringify(c)}: ours ${got}, scipy ${want[i]} (relative error ${err})`);
    if (err > worst.err) worst = { err, at: JSON.stringify(c) };
  });
  t.diagnostic(`${cases.length} cases, worst relative error ${worst.err.toExponential(2)} at ${worst.at}`);
}

describe('against scipy.stats', { skip: !hasScipy && 'python3 with scipy not available' }, () => {
  const cases = oracleCases();
  let want: Record<keyof OracleCases, number[]>;
  before(() => {
    want = runScipy(cases);
  });

  test('norm.cdf, to 1e-12', (t) => {
    // scipy's ndtr flushes results below about 1e-310 to 0; ours are subnormal there (checked at x = −38 above).
    const flushed = cases.cdf.filter((_, i) => want.cdf[i] === 0);
    for (const x of flushed) assert.ok(normalCdf(x) < MIN_NORMAL, `Φ(${x}) = ${normalCdf(x)}`);
    const kept = cases.cdf.flatMap((x, i) => (want.cdf[i] === 0 ? [] : [[x, want.cdf[i]]]));
    // Subnormal results carry fewer digits, so below the normal range the error is measured against 2^-1022.
    const error = (got: number, expected: number) => Math.abs(got - expected) / Math.max(expected, MIN_NORMAL);
    compareAll(
      t,
      kept.map(([x]) => x),
      kept.map(([, w]) => w),
      normalCdf,
      1e-12,
      error,
    );
  });

  test('norm.ppf, to 1e-12', (t) => {
    compareAll(t, cases.ppf, want.ppf, normalQuantile, 1e-12);
  });

  test('Clopper-Pearson lower bound (beta.ppf), to 1e-10', (t) => {
    compareAll(t, cases.lower, want.lower, ([k, n, alpha]) => clopperPearsonLower(k, n, alpha), 1e-10);
  });

  test('Clopper-Pearson upper bound (beta.isf), to 1e-10', (t) => {
    compareAll(t, cases.upper, want.upper, ([k, n, alpha]) => clopperPearsonUpper(k, n, alpha), 1e-10);
  });
});
