// A sweep's report: its jobs grouped by the axes (replicates pooled), each group's headline results as mean ± spread
// over the replicates that finished, from the sweep's plan (`sweeps/<hash>/sweep.json`) and the job records.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readJson } from '../store/json.js';
import { summarize } from '../report/aggregate.js';
import { markdownTable } from '../report/table.js';
import { UserError } from '../util/errors.js';
import { readJobRecords, sweepsDir } from './state.js';

const plan = z.object({
  command: z.string(),
  axes: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()]))),
  replicates: z.number(),
  jobs: z.array(
    z.object({ key: z.string(), point: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])) }),
  ),
});

/** Result fields worth a column, in this order, when the command reports them. */
const METRICS = [
  'test_accuracy',
  'final_test_accuracy',
  'early_stop_test_accuracy',
  'best_test_accuracy',
  'density',
  't_gen',
  'flops',
];

export interface SweepGroup {
  point: Record<string, string | number | boolean>;
  jobs: number;
  done: number;
  failed: number;
  metrics: Record<string, { mean: number; std: number; n: number }>;
}

/** The sweep `hash` under `root`, grouped by its axes. */
export function sweepReport(root: string, hash: string): { command: string; axes: string[]; groups: SweepGroup[] } {
  const file = path.join(sweepsDir(root), hash, 'sweep.json');
  if (!fs.existsSync(file)) throw new UserError(`no sweep ${hash} under ${root} (run ticketlab sweep SPEC first)`);
  const p = readJson(file, plan);
  const records = readJobRecords(root);
  const axes = Object.keys(p.axes);
  const groups = new Map<string, SweepGroup & { values: Record<string, number[]> }>();
  for (const job of p.jobs) {
    const point = Object.fromEntries(axes.map((a) => [a, job.point[a]!]));
    const id = JSON.stringify(point);
    const g = groups.get(id) ?? { point, jobs: 0, done: 0, failed: 0, metrics: {}, values: {} };
    groups.set(id, g);
    g.jobs++;
    const r = records.get(job.key);
    if (r?.status === 'failed') g.failed++;
    if (r?.status !== 'done' || !r.result) continue;
    g.done++;
    for (const m of METRICS) {
      const v = r.result[m];
      if (typeof v === 'number') (g.values[m] ??= []).push(v);
    }
  }
  const out: SweepGroup[] = [...groups.values()].map(({ values, ...g }) => ({
    ...g,
    metrics: Object.fromEntries(
      Object.entries(values).map(([m, xs]) => {
        const s = summarize(xs);
        return [m, { mean: s.mean, std: s.std, n: s.n }];
      }),
    ),
  }));
  return { command: p.command, axes, groups: out };
}

export function sweepTable(r: ReturnType<typeof sweepReport>): string {
  const metrics = METRICS.filter((m) => r.groups.some((g) => g.metrics[m]));
  const fmt = (m: string, x: { mean: number; std: number; n: number } | undefined) => {
    if (!x) return '—';
    const pct = m.includes('accuracy') || m === 'density';
    const v = (y: number) => (pct ? `${(100 * y).toFixed(2)}%` : y.toPrecision(4));
    return x.n > 1 ? `${v(x.mean)} ± ${pct ? (100 * x.std).toFixed(2) : x.std.toPrecision(2)}` : v(x.mean);
  };
  return markdownTable(
    [...r.axes, 'jobs', 'done', 'failed', ...metrics],
    r.groups.map((g) => [
      ...r.axes.map((a) => String(g.point[a])),
      String(g.jobs),
      String(g.done),
      String(g.failed),
      ...metrics.map((m) => fmt(m, g.metrics[m])),
    ]),
  );
}
