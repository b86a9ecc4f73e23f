// Which rows changed significantly: the two-sample KS test of each row at level α (the paper's per-row rule), and,
// since a vocabulary is tens of thousands of tests, the family-wise (Holm) and false-discovery-rate
// (Benjamini-Hochberg) selections beside it. Every row has the same n = m = dim, so a p-value depends on the row's
// count gap alone: it is computed once per distinct gap, never per row.
import { ConfigError } from '../util/errors.js';
import { ksCriticalValue, ksCriticalValueApprox, ksPValue } from '../stats/ks-distribution.js';
import { selectBenjaminiHochberg, selectHolm, selectPerTest } from '../stats/multiple-testing.js';
import type { RowStatistics } from './row-statistics.js';

export const CORRECTIONS = ['none', 'holm', 'bh'] as const;
export type Correction = (typeof CORRECTIONS)[number];

export interface RowTest {
  row: number;
  statistic: number;
  pValue: number;
}

export interface KsSelection {
  alpha: number;
  correction: Correction;
  /** The smallest D whose exact p-value is at most α: a row is rejected by the per-row test when D ≥ this. */
  criticalValue: number;
  /** The paper's approximation c(α)·sqrt(2/dim), c(α) = sqrt(-½ ln(α/2)). */
  criticalValueApprox: number;
  /** Selected rows, by statistic (largest first), then row id. */
  selected: RowTest[];
  /** How many rows each rule selects. */
  counts: Record<Correction, number>;
}

/** The rows selected at level `alpha` under `correction`, with the counts every rule would give. */
export function selectRows(stats: RowStatistics, alpha: number, correction: Correction): KsSelection {
  if (!(alpha > 0 && alpha < 1)) throw new ConfigError(`--alpha must lie in (0, 1), got ${alpha}`);
  const { counts: gaps, dim } = stats;
  const pOfGap = new Map<number, number>();
  const pValue = (gap: number) => {
    let p = pOfGap.get(gap);
    if (p === undefined) pOfGap.set(gap, (p = ksPValue(gap / dim, dim, dim)));
    return p;
  };
  const p = new Float64Array(gaps.length);
  for (let r = 0; r < gaps.length; r++) p[r] = pValue(gaps[r]!);
  const chosen: Record<Correction, readonly number[]> = {
    none: selectPerTest(p, alpha),
    holm: selectHolm(p, alpha),
    bh: selectBenjaminiHochberg(p, alpha),
  };
  const selected = chosen[correction]
    .map((row) => ({ row, statistic: gaps[row]! / dim, pValue: p[row]! }))
    .sort((a, b) => b.statistic - a.statistic || a.row - b.row);
  return {
    alpha,
    correction,
    criticalValue: ksCriticalValue(alpha, dim, dim),
    criticalValueApprox: ksCriticalValueApprox(alpha, dim, dim),
    selected,
    counts: { none: chosen.none.length, holm: chosen.holm.length, bh: chosen.bh.length },
  };
}

/** The `k` rows with the largest statistics (ties by row id): KS rows at a fixed budget, significant or not. */
export function topRows(stats: RowStatistics, k: number): number[] {
  const order = Array.from(stats.counts.keys()).sort((a, b) => stats.counts[b]! - stats.counts[a]! || a - b);
  return order.slice(0, k);
}
