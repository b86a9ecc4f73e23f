import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DataError } from '../src/util/errors.js';
import { ksCriticalValue, ksCriticalValueApprox, ksPValue, type KsMethod } from '../src/stats/ks-distribution.js';
import { SELECTIONS, selectBenjaminiHochberg, selectHolm, selectPerTest } from '../src/stats/multiple-testing.js';
import { repoRoot } from './helpers/cli.js';

const hasScipy = spawnSync('python3', ['-c', 'import scipy'], { stdio: 'ignore' }).status === 0;
const hasStatsmodels = spawnSync('python3', ['-c', 'import statsmodels'], { stdio: 'ignore' }).status === 0;

/** p-values must agree to 1e-9 relative; below 1e-300 (where subnormals lose digits) absolutely. */
function relativeError(got: number, want: number): number {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got) ? 0 : Infinity;
  return Math.abs(got - want) / Math.max(Math.abs(want), 1e-300);
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

// Two real samples whose KS statistic is near shift/lcm: x = (lcm/n)*[1..n], y = (lcm/m)*[1..m] + shift.
type SampleCase = { kind: 'samples'; n: number; m: number; shift: number; method: KsMethod };
// A statistic given directly (off the lattice, or where samples would be needlessly large).
type StatisticCase = { kind: 'd'; n: number; m: number; d: number; method: KsMethod };
type OracleCase = SampleCase | StatisticCase;

function samples(c: SampleCase): [Float64Array, Float64Array] {
  const g = gcd(c.n, c.m);
  const x = Float64Array.from({ length: c.n }, (_, i) => (c.m / g) * (i + 1));
  const y = Float64Array.from({ length: c.m }, (_, j) => (c.n / g) * (j + 1) + c.shift);
  return [x, y];
}

/** The two-sided statistic of sorted samples as ks_2samp computes it: ECDF differences at every data point. */
function ksStatistic(x: Float64Array, y: Float64Array): number {
  let i = 0;
  let j = 0;
  let max = -Infinity;
  let min = Infinity;
  while (i < x.length || j < y.length) {
    const t = j >= y.length || (i < x.length && x[i] <= y[j]) ? x[i] : y[j];
    while (i < x.length && x[i] <= t) i++;
    while (j < y.length && y[j] <= t) j++;
    const diff = i / x.length - j / y.length;
    max = Math.max(max, diff);
    min = Math.min(min, diff);
  }
  const minS = Math.min(Math.max(-min, 0), 1);
  return minS > max ? minS : max;
}

function runScipy(cases: OracleCase[]): { statistic: number; pvalue: number; warnings: string[] }[] {
  const script = path.join(repoRoot, 'test', 'helpers', 'ks_scipy.py');
  const r = spawnSync('python3', [script], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, `ks_scipy.py failed: ${r.stderr}`);
  const toNumber = (s: string) => (s === 'nan' ? NaN : Number(s));
  return (JSON.parse(r.stdout) as { statistic: string; pvalue: string; warnings: string[] }[]).map((o) => ({
    statistic: toNumber(o.statistic),
    pvalue: toNumber(o.pvalue),
    warnings: o.warnings,
  }));
}

function oracleCases(): OracleCase[] {
  const cases: OracleCase[] = [];
  const sampleGrid: [number, number, KsMethod[]][] = [
    [5, 5, ['auto']],
    [64, 64, ['auto', 'asymp']],
    [1000, 1000, ['auto']],
    [4096, 4096, ['auto', 'asymp']],
    [10000, 10000, ['auto']],
    [3, 7, ['auto', 'asymp']],
    [64, 100, ['auto', 'asymp']],
    [500, 1300, ['auto']],
    [4096, 4000, ['auto']],
    [12000, 15000, ['auto']], // above 10000: asymptotic
    [20000, 20000, ['auto', 'exact']],
    [10001, 3, ['auto']], // asymptotic with N = round(n m / (n + m)) = 3
    [30000, 50, ['auto']], // N = 50: Durbin, Pomeranz and Smirnov branches
    [100003, 100019, ['exact']], // lattice beyond int32: 'exact' becomes asymptotic
  ];
  const targets = [0, 0.001, 0.01, 0.03, 0.05, 0.1, 0.2, 0.5, 1];
  for (const [n, m, methods] of sampleGrid) {
    const lcm = (n / gcd(n, m)) * m;
    for (const method of methods) {
      const shifts = new Set(targets.map((t) => Math.round(t * lcm)).concat([1, -Math.round(0.05 * lcm)]));
      for (const shift of shifts) {
        // The exact count for unequal sizes costs max(n,m) * 2*D*min(n,m): keep the big ones to small D.
        const exact = method === 'exact' ? lcm < 2 ** 31 : method === 'auto' && Math.max(n, m) <= 10000;
        if (exact && n !== m && Math.max(n, m) > 4000 && shift / lcm > 0.2) continue;
        cases.push({ kind: 'samples', n, m, shift, method });
      }
    }
  }
  // The asymptotic distribution for N = n/2 (n = m) across its branches: Ruben-Gambino at both ends, Durbin's
  // matrix, Pomeranz, Pelz-Good and 2*smirnov (lower and upper sums).
  for (const N of [1, 3, 10, 70, 140, 141, 1000, 50000, 100001]) {
    const zs = [0.2, 0.5, 0.8, 1.0, 1.2, 1.5, 2, 3, 5, 10];
    const ds = zs.map((z) => z / Math.sqrt(N)).concat([0.7 / N, 1 / N, 0.5, 0.75, 1 - 0.5 / N, 1]);
    for (const d of ds) if (d <= 1) cases.push({ kind: 'd', n: 2 * N, m: 2 * N, d, method: 'asymp' });
  }
  // Off-lattice statistics are snapped to the nearest lattice point first; n = m = 64, D = 0.109 is 7/64.
  for (const [n, m] of [
    [64, 64],
    [64, 100],
    [3, 7],
  ]) {
    for (const d of [0.109, 0.1, 0.33, 0.999]) cases.push({ kind: 'd', n, m, d, method: 'auto' });
  }
  cases.push({ kind: 'd', n: 1, m: 1, d: 1, method: 'asymp' }); // N rounds to 0: NaN, as scipy
  cases.push({ kind: 'd', n: 100003, m: 100019, d: 0.003, method: 'exact' });
  return cases;
}

/** Lattice points at and one step below each critical value: p <= alpha at the first, > alpha at the second. */
function criticalCases(): { alpha: number; at: StatisticCase; below: StatisticCase }[] {
  const out: { alpha: number; at: StatisticCase; below: StatisticCase }[] = [];
  for (const [n, m] of [
    [64, 64],
    [4096, 4096],
    [4096, 4000],
  ]) {
    const lcm = (n / gcd(n, m)) * m;
    for (const alpha of [0.05, 0.001]) {
      const h = Math.round(ksCriticalValue(alpha, n, m) * lcm);
      const at: StatisticCase = { kind: 'd', n, m, d: h / lcm, method: 'auto' };
      out.push({ alpha, at, below: { ...at, d: (h - 1) / lcm } });
    }
  }
  return out;
}

describe('ksPValue against scipy.stats.ks_2samp', { skip: !hasScipy && 'python3 with scipy not available' }, () => {
  // One python process answers every case of this suite.
  const grid = oracleCases();
  const documented: SampleCase = { kind: 'samples', n: 64, m: 64, shift: 7, method: 'auto' };
  const critical = hasScipy ? criticalCases() : [];
  let results: ReturnType<typeof runScipy> = [];
  before(() => {
    results = runScipy([...grid, documented, ...critical.flatMap((c) => [c.at, c.below])]);
  });

  test('p-values and statistics over a grid of sizes and statistics', (t) => {
    let worst = 0;
    let worstCase = '';
    grid.forEach((c, i) => {
      const want = results[i];
      let d: number;
      if (c.kind === 'samples') {
        d = ksStatistic(...samples(c));
        // scipy reports the statistic snapped to the lattice when it counts paths exactly.
        const lcm = (c.n / gcd(c.n, c.m)) * c.m;
        assert.ok(want.statistic === d || want.statistic === Math.round(d * lcm) / lcm, `D of ${JSON.stringify(c)}`);
      } else {
        d = c.d;
      }
      const got = ksPValue(d, c.n, c.m, c.method);
      const err = relativeError(got, want.pvalue);
      assert.ok(err <= 1e-9, `${JSON.stringify(c)}: D=${d} ours ${got}, scipy ${want.pvalue} (rel ${err})`);
      if (err > worst) [worst, worstCase] = [err, JSON.stringify(c)];
    });
    // The grid does exercise scipy's fallbacks: exact failing at h = 1, and a lattice too fine for 'exact'.
    const warned = (n: number, text: string) =>
      grid.some((c, i) => c.n === n && results[i].warnings.some((w) => w.includes(text)));
    assert.ok(warned(5, 'Exact calculation unsuccessful'));
    assert.ok(warned(100003, 'Exact ks_2samp calculation not possible'));
    t.diagnostic(`${grid.length} cases, worst relative error ${worst.toExponential(2)} (${worstCase})`);
  });

  test('the documented case: n = m = 64, D = 0.109 is the lattice point 7/64', () => {
    const want = results[grid.length];
    assert.equal(want.statistic, 0.109375);
    assert.ok(Math.abs(want.pvalue - 0.843) < 0.001, `scipy gives ${want.pvalue}`);
    assert.ok(relativeError(ksPValue(0.109, 64, 64), want.pvalue) <= 1e-9);
    assert.equal(ksPValue(0.109, 64, 64), ksPValue(7 / 64, 64, 64));
  });

  test('scipy agrees that each critical value is the first significant lattice point', () => {
    critical.forEach(({ alpha, at }, i) => {
      const [pAt, pBelow] = [results[grid.length + 1 + 2 * i].pvalue, results[grid.length + 2 + 2 * i].pvalue];
      assert.ok(pAt <= alpha && pBelow > alpha, `${JSON.stringify(at)}: ${pAt}, ${pBelow} against ${alpha}`);
    });
  });
});

describe('ksCriticalValue', () => {
  const grid: [number, number][] = [
    [64, 64],
    [1000, 1000],
    [4096, 4096],
    [4096, 4000],
    [500, 1300],
    [20000, 20000],
  ];
  for (const [n, m] of grid) {
    test(`n=${n}, m=${m}: p <= alpha at the critical value, > alpha one lattice step below`, () => {
      const lcm = (n / gcd(n, m)) * m;
      for (const alpha of [0.1, 0.05, 0.01, 0.001, 1e-6]) {
        const c = ksCriticalValue(alpha, n, m);
        const h = Math.round(c * lcm);
        assert.equal(c, h / lcm, 'a lattice point');
        assert.ok(ksPValue(c, n, m) <= alpha, `p(${c}) <= ${alpha}`);
        assert.ok(ksPValue((h - 1) / lcm, n, m) > alpha, `p one step below ${c} > ${alpha}`);
        // The large-sample formula ignores the lattice and finite-n terms: close for large n, not equal.
        const approx = ksCriticalValueApprox(alpha, n, m);
        if (Math.min(n, m) >= 1000) assert.ok(Math.abs(c - approx) / approx < 0.02, `${c} vs approx ${approx}`);
      }
    });
  }

  test('paper formula: c(0.05) = 1.358 and n = m = 4096 gives 0.0300', () => {
    assert.ok(Math.abs(ksCriticalValueApprox(0.05, 1, 1) / Math.sqrt(2) - 1.3581) < 1e-4);
    assert.ok(Math.abs(ksCriticalValueApprox(0.05, 4096, 4096) - 0.03001) < 1e-6);
    assert.equal(ksCriticalValue(0.05, 4096, 4096), 123 / 4096);
  });

  test('Infinity when even D = 1 is not significant', () => {
    // n = m = 3: Pr(D = 1) = 2 / C(6, 3) = 0.1.
    assert.ok(Math.abs(ksPValue(1, 3, 3) - 0.1) < 1e-15);
    assert.equal(ksCriticalValue(0.05, 3, 3), Infinity);
    assert.equal(ksCriticalValue(0.11, 3, 3), 1);
  });
});

describe('ksPValue basics', () => {
  test('D = 0 has p = 1, p does not increase with D, and equal sizes have the closed form', () => {
    assert.equal(ksPValue(0, 4096, 4000), 1);
    let last = 1;
    for (let h = 0; h <= 64; h++) {
      const p = ksPValue(h / 64, 64, 64);
      assert.ok(p <= last, `p(${h}/64)`);
      last = p;
    }
    // n = m = 2: Pr(D >= 1/2) = 1, Pr(D = 1) = 2 / C(4, 2).
    assert.equal(ksPValue(0.5, 2, 2), 1);
    assert.ok(Math.abs(ksPValue(1, 2, 2) - 1 / 3) < 1e-15);
  });

  test('bad input is a DataError with one clear line', () => {
    const bad: [string, () => unknown][] = [
      ['statistic', () => ksPValue(-0.1, 5, 5)],
      ['statistic', () => ksPValue(1.5, 5, 5)],
      ['statistic', () => ksPValue(NaN, 5, 5)],
      ['size n', () => ksPValue(0.5, 0, 5)],
      ['size m', () => ksPValue(0.5, 5, 2.5)],
      ['method', () => ksPValue(0.5, 5, 5, 'fast' as KsMethod)],
      ['alpha', () => ksCriticalValue(0, 5, 5)],
      ['alpha', () => ksCriticalValue(1, 5, 5)],
      ['alpha', () => ksCriticalValueApprox(NaN, 5, 5)],
      ['size n', () => ksCriticalValueApprox(0.05, -1, 5)],
    ];
    for (const [word, call] of bad) {
      assert.throws(
        call,
        (err: Error) => err instanceof DataError && err.message.includes(word) && !/\n/.test(err.message),
      );
    }
  });
});

describe('multiple testing', () => {
  // N = 6, alpha = 0.05. Sorted (ties by index): #3 0.002, #0 0.009, #2 0.03, #5 0.03, #1 0.045, #4 0.20.
  //   per-test: p <= 0.05                                  -> #0 #1 #2 #3 #5
  //   Holm:     0.002 <= 0.05/6 = 0.0083, 0.009 <= 0.05/5 = 0.01, 0.03 > 0.05/4 = 0.0125: stop -> #0 #3
  //   BH:       thresholds 0.05*k/6 = .0083 .0167 .025 .0333 .0417 .05; largest k with p_(k) <= its threshold is
  //             k = 4 (0.03 <= 0.0333; 0.045 > 0.0417, 0.20 > 0.05), so the 4 smallest -> #0 #2 #3 #5
  //             (step-up: p_(3) = 0.03 > 0.025 is rejected all the same).
  const p = [0.009, 0.045, 0.03, 0.002, 0.2, 0.03];
  test('hand-computed example', () => {
    assert.deepEqual(selectPerTest(p, 0.05), [0, 1, 2, 3, 5]);
    assert.deepEqual(selectHolm(p, 0.05), [0, 3]);
    assert.deepEqual(selectBenjaminiHochberg(new Float64Array(p), 0.05), [0, 2, 3, 5]);
    assert.deepEqual(SELECTIONS.holm(p, 0.05), [0, 3]);
    assert.deepEqual(selectHolm([], 0.05), []);
    assert.deepEqual(selectBenjaminiHochberg([0.5, 0.6], 0.05), []);
  });

  test('bad p-values or alpha are a DataError', () => {
    assert.throws(() => selectHolm([0.1, NaN], 0.05), DataError);
    assert.throws(() => selectPerTest([1.1], 0.05), DataError);
    assert.throws(() => selectBenjaminiHochberg([0.1], 0), DataError);
  });

  // Independent reimplementations: Holm one rejection at a time without sorting; BH by counting.
  function bruteHolm(p: readonly number[], alpha: number): number[] {
    const remaining = new Set(p.keys());
    const rejected: number[] = [];
    while (remaining.size > 0) {
      let best = -1;
      for (const i of remaining) if (best < 0 || p[i] < p[best]) best = i;
      if (!(p[best] <= alpha / remaining.size)) break;
      rejected.push(best);
      remaining.delete(best);
    }
    return rejected.sort((a, b) => a - b);
  }
  function bruteBH(p: readonly number[], alpha: number): number[] {
    for (let k = p.length; k >= 1; k--) {
      const below = [...p.keys()].filter((i) => p[i] <= alpha * (k / p.length));
      if (below.length >= k) return below;
    }
    return [];
  }

  test('agrees with brute force on random p-values (with ties)', () => {
    let seed = 20240607;
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (let trial = 0; trial < 300; trial++) {
      const N = 1 + Math.floor(random() * 60);
      const signal = random();
      const p = Array.from({ length: N }, () => {
        const u = random() < signal ? random() * 0.01 : random();
        return random() < 0.3 ? Math.round(u * 100) / 100 : u;
      });
      for (const alpha of [0.01, 0.05, 0.2]) {
        assert.deepEqual(selectHolm(p, alpha), bruteHolm(p, alpha), `holm ${JSON.stringify(p)}`);
        assert.deepEqual(selectBenjaminiHochberg(p, alpha), bruteBH(p, alpha), `bh ${JSON.stringify(p)}`);
        const holm = new Set(selectHolm(p, alpha));
        const bh = new Set(selectBenjaminiHochberg(p, alpha));
        const perTest = new Set(selectPerTest(p, alpha));
        // Holm's rejections are BH's, and BH's are the per-test ones.
        for (const i of holm) assert.ok(bh.has(i));
        for (const i of bh) assert.ok(perTest.has(i));
      }
    }
  });

  test(
    'agrees with statsmodels multipletests',
    { skip: !hasStatsmodels && 'python3 with statsmodels not available' },
    () => {
      let seed = 7;
      const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
      const p = Array.from({ length: 500 }, () => (random() < 0.2 ? random() * 1e-3 : random()));
      const py = [
        'import json, sys',
        'from statsmodels.stats.multitest import multipletests',
        'd = json.load(sys.stdin)',
        "out = {m: [int(i) for i in multipletests(d['p'], alpha=d['alpha'], method=m)[0].nonzero()[0]] for m in ['holm', 'fdr_bh']}",
        'print(json.dumps(out))',
      ].join('\n');
      const r = spawnSync('python3', ['-c', py], { input: JSON.stringify({ p, alpha: 0.05 }), encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const want = JSON.parse(r.stdout) as { holm: number[]; fdr_bh: number[] };
      assert.deepEqual(selectHolm(p, 0.05), want.holm);
      assert.deepEqual(selectBenjaminiHochberg(p, 0.05), want.fdr_bh);
    },
  );
});
