// Aggregation of the committed LeNet data: per branch and level, the mean and spread over replicates of the test
// accuracy at the early-stop iteration, the final accuracy and the early-stop iteration.
import { TRUNK } from '../../lottery/layout.js';
import { summarize } from '../../report/aggregate.js';
import type { LevelLine } from './study-data.js';

export interface LevelStats {
  level: number;
  /** Percent of weights remaining. */
  pm: number;
  n: number;
  /** Test accuracy (%) at the early-stop iteration: mean and sample std over replicates. */
  acc: number;
  accStd: number;
  /** Early-stop iteration: mean and sample std over replicates. */
  es: number;
  esStd: number;
  /** Mean test accuracy (%) at the end of training. */
  final: number;
}

/** Stats per level of one branch, dense first; the dense level 0 (trained once, on the trunk) starts every branch. */
export function branchStats(levels: readonly LevelLine[], branch: string): LevelStats[] {
  const byLevel = new Map<number, LevelLine[]>();
  for (const r of levels)
    if (r.branch === branch || (r.level === 0 && r.branch === TRUNK))
      byLevel.set(r.level, [...(byLevel.get(r.level) ?? []), r]);
  return [...byLevel]
    .sort((a, b) => a[0] - b[0])
    .map(([level, rs]) => {
      const acc = summarize(rs.map((r) => r.early_stop_test_accuracy * 100));
      const es = summarize(rs.map((r) => r.early_stop_step));
      const mean = (f: (r: LevelLine) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
      return {
        level,
        pm: rs[0]!.density * 100,
        n: rs.length,
        acc: acc.mean,
        accStd: acc.std,
        es: es.mean,
        esStd: es.std,
        final: mean((r) => r.test_accuracy * 100),
      };
    });
}

/**
 * The level nearest (in log density) to the paper's Pm, if one is within a factor 1.15 of it: IMP densities step
 * by about 20%, so only a level that close stands for the paper's.
 */
export function nearestLevel(stats: readonly LevelStats[], pm: number): LevelStats | undefined {
  let best: LevelStats | undefined;
  for (const a of stats) if (!best || Math.abs(Math.log(a.pm / pm)) < Math.abs(Math.log(best.pm / pm))) best = a;
  return best && Math.abs(Math.log(best.pm / pm)) < Math.log(1.15) ? best : undefined;
}
