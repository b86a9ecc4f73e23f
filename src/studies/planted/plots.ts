// The Plant 'n' Seek figures: per task and metric (score, recall, precision, Jaccard), mean over repetitions
// against the percent of weights kept, single-shot and multishot side by side, with chance (a random mask) and
// the planted ticket as reference lines. Specs only; src/report renders them.
import type { TopLevelSpec } from 'vega-lite';
import { lineChart } from '../../report/ticket-plots.js';
import { DENSITIES, MODES, MODE_NAME, type Mode } from './grid.js';
import type { CompactSeek } from './study-data.js';
import { isClass, mean, score, type PlantedSummary } from './summary.js';
import type { TaskName } from './tasks.js';

interface Metric {
  id: 'score' | 'recall' | 'precision' | 'jaccard';
  title: string;
  long: string;
  y: (r: CompactSeek) => number | null;
  /** Expected value for a random mask keeping a fraction d. */
  chance?: (d: number) => number;
  log?: boolean;
  symlog?: boolean;
  /** Draw the trained planted ticket and the target network as reference lines. */
  planted?: boolean;
}

const pct = (v: number | null) => (v === null ? null : 100 * v);

function metrics(t: TaskName, plantedDensity: number): Metric[] {
  const cls = isClass(t);
  return [
    {
      id: 'score',
      title: cls ? 'Test accuracy (%)' : 'Test MSE',
      long: cls ? 'test accuracy' : 'test MSE',
      y: (r) => (cls ? 100 : 1) * score(t, r.ticket_test),
      log: !cls,
      planted: true,
    },
    {
      id: 'recall',
      title: 'Recall (%)',
      long: 'recall of the planted weights',
      y: (r) => pct(r.recall),
      chance: (d) => 100 * d,
      symlog: true,
    },
    {
      id: 'precision',
      title: 'Precision (%)',
      long: 'precision (kept weights that are planted)',
      y: (r) => pct(r.precision),
      chance: () => 100 * plantedDensity,
      symlog: true,
    },
    {
      id: 'jaccard',
      title: 'Jaccard index (%)',
      long: 'Jaccard index of the mask with the planted mask',
      y: (r) => pct(r.jaccard),
      chance: (d) => (100 * d * plantedDensity) / (d + plantedDensity - d * plantedDensity),
      symlog: true,
    },
  ];
}

/** One panel (a mode): a line per pruner plus the reference lines; null when the mode has no data. */
function panel(s: PlantedSummary, t: TaskName, metric: Metric, m: Mode): Record<string, unknown> | null {
  const rows: Record<string, unknown>[] = [];
  const xs: number[] = [];
  for (const p of s.data.study.pruners)
    for (const d of DENSITIES) {
      const c = s.cell(t, p, m, d);
      const ys = c.rows
        .map(metric.y)
        .filter((v): v is number => v !== null && Number.isFinite(v) && (!metric.log || v > 0));
      if (!ys.length) continue;
      const x = 100 * mean(c.rows.map((r) => r.density));
      xs.push(x);
      rows.push({ percent: x, value: mean(ys), series: p });
    }
  if (!rows.length) return null;
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  const unit = isClass(t) ? 100 : 1;
  const planted = s.plantedScores(t);
  if (metric.planted && planted.length) {
    const target = mean(s.plants(t).map((x) => score(t, x.target_test)));
    for (const x of [lo, hi]) rows.push({ percent: x, value: unit * mean(planted), series: 'planted ticket, trained' });
    for (const x of [lo, hi]) rows.push({ percent: x, value: unit * target, series: 'target network' });
  }
  if (metric.chance)
    for (const x of [...new Set(xs)].sort((a, b) => a - b))
      rows.push({ percent: x, value: metric.chance(x / 100), series: 'chance (random mask)' });
  const spec = lineChart({
    rows,
    x: 'percent',
    y: 'value',
    color: 'series',
    colorTitle: 'pruner',
    title: MODE_NAME[m],
    xLog: true,
    xTitle: 'Percent of weights remaining',
    yTitle: metric.title,
  }) as unknown as Record<string, unknown>;
  delete spec.$schema;
  const enc = spec.encoding as Record<string, Record<string, unknown>>;
  enc.x!.scale = { type: 'log', reverse: true, domain: [lo, hi], nice: false, padding: 12 };
  enc.x!.axis = { format: '.2~r', grid: true };
  if (metric.log) enc.y!.scale = { type: 'log' };
  if (metric.symlog) enc.y!.scale = metric.id === 'recall' ? { type: 'symlog', domain: [0, 100] } : { type: 'symlog' };
  enc.color!.legend = { ...(enc.color!.legend as Record<string, unknown>), labelLimit: 300 };
  return spec;
}

export interface Figure {
  /** File stem under the study's figure directory, e.g. 'circle-recall'. */
  name: string;
  spec: TopLevelSpec;
}

/** Every figure the page links, in order: per task, score, recall, precision, Jaccard. */
export function plantedFigures(s: PlantedSummary): Figure[] {
  const reps = Math.max(s.data.study.reps.single, s.data.study.reps.multi);
  const figures: Figure[] = [];
  for (const t of s.tasks)
    for (const metric of metrics(t, mean(s.plants(t).map((x) => x.density)))) {
      const panels = MODES.map((m) => panel(s, t, metric, m)).filter((p): p is Record<string, unknown> => p !== null);
      if (!panels.length) continue;
      const spec = {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: `${t}: ${metric.long} vs density (mean of up to ${reps} repetition${reps > 1 ? 's' : ''})`,
        hconcat: panels,
        resolve: { scale: { y: 'shared', color: 'shared' } },
      } as unknown as TopLevelSpec;
      figures.push({ name: `${t}-${metric.id}`, spec });
    }
  return figures;
}
