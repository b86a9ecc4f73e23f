// The LTH paper's LeNet-300-100 findings (papers.md §1) as criteria with targets, each judged on the committed
// data. A criterion whose level was not reached (or not run) is reported as not measured rather than as failed.
import { nearestLevel, type LevelStats } from './summary.js';

export interface LenetStats {
  ticket: LevelStats[];
  reinit: LevelStats[];
}

export interface Criterion {
  finding: string;
  target: string;
  /** What was measured, and whether the target was met (null: no target, only a comparison). */
  judge(s: LenetStats): { measured: string; met: boolean | null } | undefined;
}

const pct = (x: number) => `${x.toFixed(2)}%`;

export const CRITERIA: Criterion[] = [
  {
    finding: 'ticket at Pm ≈ 13.5% at or above dense accuracy',
    target: '≥ dense',
    judge: ({ ticket }) => {
      const [dense, t] = [ticket[0], nearestLevel(ticket, 13.5)];
      return (
        dense &&
        t && { measured: `${pct(t.acc)} at Pm ${t.pm.toFixed(1)}% vs dense ${pct(dense.acc)}`, met: t.acc >= dense.acc }
      );
    },
  },
  {
    finding: 'ticket at Pm ≈ 3.6% within 0.3 pp of dense',
    target: '≥ dense − 0.3 pp',
    judge: ({ ticket }) => {
      const [dense, t] = [ticket[0], nearestLevel(ticket, 3.6)];
      return (
        dense &&
        t && {
          measured: `${pct(t.acc)} at Pm ${t.pm.toFixed(1)}% vs dense ${pct(dense.acc)}`,
          met: t.acc >= dense.acc - 0.3,
        }
      );
    },
  },
  {
    finding: 'random reinit clearly worse from Pm ≈ 7% down',
    target: 'reinit + 2 × max(std, 0.1 pp) < ticket',
    judge: ({ ticket, reinit }) => {
      const [t, r] = [nearestLevel(ticket, 7.0), nearestLevel(reinit, 7.0)];
      return t && r && r.level > 0
        ? {
            measured: `reinit ${pct(r.acc)} vs ticket ${pct(t.acc)} at Pm ${r.pm.toFixed(1)}%`,
            met: r.acc + 2 * Math.max(r.accStd, t.accStd, 0.1) < t.acc,
          }
        : undefined;
    },
  },
  {
    finding: 'early-stop iteration at Pm ≈ 21% ≤ 0.8× dense',
    target: '≤ 0.8×',
    judge: ({ ticket }) => {
      const [dense, t] = [ticket[0], nearestLevel(ticket, 21.1)];
      return (
        dense &&
        t && {
          measured: `${Math.round(t.es)} vs dense ${Math.round(dense.es)} (${(t.es / dense.es).toFixed(2)}×)`,
          met: t.es <= 0.8 * dense.es,
        }
      );
    },
  },
  {
    finding: 'ticket learns faster than its reinit twin at Pm ≈ 21% (paper: 2.51×)',
    target: '—',
    judge: ({ ticket, reinit }) => {
      const [t, r] = [nearestLevel(ticket, 21.1), nearestLevel(reinit, 21.1)];
      return t && r && r.level > 0
        ? {
            measured: `reinit early stop ${Math.round(r.es)} vs ticket ${Math.round(t.es)} (${(r.es / t.es).toFixed(2)}×)`,
            met: null,
          }
        : undefined;
    },
  },
];

/** Rows of the findings table: finding, target, measured, met. */
export function findingRows(s: LenetStats): string[][] {
  return CRITERIA.map((c) => {
    const j = c.judge(s);
    const met = !j ? 'not measured' : j.met === null ? '—' : j.met ? 'yes' : '**no**';
    return [c.finding, c.target, j?.measured ?? '— (no level near this Pm)', met];
  });
}
