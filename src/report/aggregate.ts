// Replicate statistics shared by the ticket plots and tables, so both always show the same numbers.
import { DataError } from '../util/errors.js';

/** One trained network: a series (how it was made) at one sparsity level, one replicate. */
export interface TicketRow {
  /** e.g. 'winning ticket', 'random reinit', 'random pruning'. */
  series: string;
  replicate: number;
  /** Fraction of weights remaining, in (0, 1]. */
  density: number;
  /** Test accuracy in [0, 1] (at the early-stop iteration unless the caller's data says otherwise). */
  testAccuracy: number;
  /** Iteration at which validation loss was minimal. */
  earlyStopStep: number;
}

/** Keys of R whose values are numbers: lets callers pick e.g. a `finalTestAccuracy` field of their own. */
export type NumericKey<R> = { [K in keyof R]-?: R[K] extends number ? K : never }[keyof R] & string;

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 denominator); 0 when n = 1. */
  std: number;
  min: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) throw new DataError('cannot summarize an empty set of values');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { n, mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, min: Math.min(...values), max: Math.max(...values) };
}

export interface SeriesLevel {
  series: string;
  density: number;
  summary: Summary;
}

/**
 * Summarize `field` over replicates for every series × density. Series keep the order in which
 * they first appear in `rows`; levels within a series go from dense to sparse.
 */
export function summarizeTickets<R extends TicketRow>(rows: readonly R[], field: NumericKey<R>): SeriesLevel[] {
  if (rows.length === 0) throw new DataError('no ticket rows to summarize');
  const groups = new Map<string, { series: string; density: number; values: number[]; replicates: Set<number> }>();
  for (const row of rows) {
    checkRow(row);
    const value = row[field] as number;
    if (!Number.isFinite(value)) {
      throw new DataError(`${field} must be a finite number (series '${row.series}', density ${row.density})`);
    }
    const key = levelKey(row.series, row.density);
    let group = groups.get(key);
    if (!group) {
      group = { series: row.series, density: row.density, values: [], replicates: new Set() };
      groups.set(key, group);
    }
    if (group.replicates.has(row.replicate)) {
      throw new DataError(`duplicate row: series '${row.series}', density ${row.density}, replicate ${row.replicate}`);
    }
    group.replicates.add(row.replicate);
    group.values.push(value);
  }
  const order = seriesOrder(rows);
  return [...groups.values()]
    .map((g) => ({ series: g.series, density: g.density, summary: summarize(g.values) }))
    .sort((a, b) => order.indexOf(a.series) - order.indexOf(b.series) || b.density - a.density);
}

/** Grouping key for one series at one density. */
export function levelKey(series: string, density: number): string {
  // Densities from separate runs of one schedule can differ in the last bits; 10 digits is plenty.
  return `${series}\u0000${density.toPrecision(10)}`;
}

/** Distinct series names in order of first appearance. */
export function seriesOrder(rows: readonly { series: string }[]): string[] {
  return [...new Set(rows.map((r) => r.series))];
}

function checkRow(row: TicketRow): void {
  const where = `series '${row.series}', replicate ${row.replicate}`;
  if (!(row.density > 0 && row.density <= 1)) {
    throw new DataError(`density must be in (0, 1], got ${row.density} (${where})`);
  }
  if (!(row.testAccuracy >= 0 && row.testAccuracy <= 1)) {
    throw new DataError(`testAccuracy must be in [0, 1], got ${row.testAccuracy} (${where})`);
  }
  if (!(Number.isFinite(row.earlyStopStep) && row.earlyStopStep >= 0)) {
    throw new DataError(`earlyStopStep must be a non-negative number, got ${row.earlyStopStep} (${where})`);
  }
}
