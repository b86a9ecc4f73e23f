// Recovery of the planted ticket (not measured in the paper): how much of the ground-truth mask each pruner keeps,
// overall and per layer, against what a random mask of the same density would keep by chance.
import type { PageValues } from '../../report/page.js';
import { markdownTable } from '../../report/table.js';
import { MODES, MODE_NAME, type DensityLabel, type Mode } from './grid.js';
import type { CompactSeek } from './study-data.js';
import { mean, pctStr, present, score, type PlantedSummary } from './summary.js';
import type { TaskName } from './tasks.js';

type Best = { p: string; v: number };

/** The pruner with the highest mean of `f` in a (task, mode, density) cell. */
function bestPruner(
  s: PlantedSummary,
  t: TaskName,
  m: Mode,
  d: DensityLabel,
  f: (r: CompactSeek) => number | null,
): Best | undefined {
  return s.data.study.pruners
    .map((p) => ({ p, v: mean(present(s.cell(t, p, m, d).rows.map(f))) }))
    .filter((x) => Number.isFinite(x.v))
    .sort((a, b) => b.v - a.v)[0];
}

/** Mean recall of a cell, overall or of one layer; NaN when nothing was recorded. */
export function cellRecall(
  s: PlantedSummary,
  t: TaskName,
  p: string,
  m: Mode,
  d: DensityLabel,
  layer?: string,
): number {
  return mean(present(s.cell(t, p, m, d).rows.map((r) => (layer ? r.layer_recall[layer] : r.recall))));
}

/** Best recall, precision and Jaccard per task × mode × density, beside their chance values. */
export function bestRecoveryTable(s: PlantedSummary): string {
  const rows: string[][] = [];
  for (const t of s.tasks)
    for (const m of MODES)
      for (const d of ['0.1', '0.01', 'planted'] as const) {
        const br = bestPruner(s, t, m, d, (r) => r.recall);
        const bp = bestPruner(s, t, m, d, (r) => r.precision);
        const bj = bestPruner(s, t, m, d, (r) => r.jaccard);
        if (!br || !bp || !bj) continue;
        const dens = pctStr(mean(s.data.study.pruners.flatMap((p) => s.cell(t, p, m, d).rows.map((r) => r.density))));
        const plantedDensity = pctStr(mean(s.plants(t).map((x) => x.density)));
        const cellText = (x: Best) => `${pctStr(x.v)} (${x.p})`;
        rows.push([t, MODE_NAME[m], d, dens, cellText(br), dens, cellText(bp), plantedDensity, cellText(bj)]);
      }
  const header = [
    'task',
    'mode',
    'density',
    'kept (%)',
    'best recall (%)',
    'chance recall (%)',
    'best precision (%)',
    'chance precision (%)',
    'best Jaccard (%)',
  ];
  return markdownTable(header, rows);
}

/** Layer names of the recorded masks (the same for every task at one depth). */
export function layerNames(s: PlantedSummary): string[] {
  const first = s.data.seeks.find((r) => r.result)?.result;
  return first ? Object.keys(first.layer_recall) : [];
}

/** Per-layer recall at density 0.1 and at the planted density, single-shot / multishot. */
export function layerRecallTable(s: PlantedSummary): string {
  const names = layerNames(s);
  const rows: string[][] = [];
  for (const d of ['0.1', 'planted'] as const)
    for (const t of s.tasks)
      for (const p of s.data.study.pruners) {
        if (!s.cell(t, p, 'single', d).rows.length && !s.cell(t, p, 'multi', d).rows.length) continue;
        const lr = (m: Mode, n: string) => {
          const v = cellRecall(s, t, p, m, d, n);
          return Number.isFinite(v) ? pctStr(v) : '—';
        };
        rows.push([d, t, p, ...names.map((n) => `${lr('single', n)} / ${lr('multi', n)}`)]);
      }
  return markdownTable(['density', 'task', 'pruner', ...names], rows);
}

/** Planted edges per layer and mean |w| of the planted vs the other weights, first repetition of each task. */
export function magnitudesTable(s: PlantedSummary): string {
  const names = s.tasks.length ? Object.keys(s.plants(s.tasks[0]!)[0]?.magnitudes ?? {}) : [];
  const rows = s.tasks.map((t) => {
    const m = s.plants(t)[0]?.magnitudes ?? {};
    return [
      t,
      ...names.map((n) =>
        m[n]?.planted ? `${m[n].planted}: ${m[n].planted_abs.toFixed(3)} vs ${m[n].other_abs.toFixed(3)}` : '—',
      ),
    ];
  });
  return markdownTable(['task', ...names], rows);
}

interface MaskStat {
  p: string;
  m: Mode;
  rec: number;
  prec: number;
  jac: number;
  dens: number;
  sc: number;
}

function maskStats(s: PlantedSummary, t: TaskName, d: DensityLabel): MaskStat[] {
  return s.data.study.pruners.flatMap((p) =>
    MODES.map((m) => {
      const rows = s.cell(t, p, m, d).rows;
      const avg = (f: (r: CompactSeek) => number) => mean(rows.map(f));
      return {
        p,
        m,
        rec: avg((r) => r.recall ?? 0),
        prec: avg((r) => r.precision ?? 0),
        jac: avg((r) => r.jaccard ?? 0),
        dens: avg((r) => r.density),
        sc: avg((r) => score(t, r.ticket_test)),
      };
    }),
  );
}

/** Per task: the best mask at 0.01 and at the planted density, the masks that work there, below-chance recall. */
export function recoveryByTaskTable(s: PlantedSummary): string {
  const rows: string[][] = [];
  for (const t of s.tasks) {
    const pd = mean(s.plants(t).map((x) => x.density));
    const at001 = maskStats(s, t, '0.01')
      .filter((x) => Number.isFinite(x.rec))
      .sort((a, b) => b.rec - a.rec);
    const atP = maskStats(s, t, 'planted')
      .filter((x) => Number.isFinite(x.jac))
      .sort((a, b) => b.jac - a.jac);
    const below = maskStats(s, t, '0.5').filter((x) => Number.isFinite(x.rec) && x.rec < 0.8 * x.dens);
    const b01 = at001[0];
    const bP = atP[0];
    if (!b01 || !bP) continue;
    const mask = (x: MaskStat) => `${x.p}, ${MODE_NAME[x.m]}`;
    const working = atP
      .filter((x) => s.works(t, x.sc))
      .map((x) => `${mask(x)}: FAI ${s.fai(t, x.sc).toFixed(2)}, recall ${pctStr(x.rec)}%`);
    rows.push([
      t,
      pctStr(pd),
      `${pctStr(b01.rec)} (${mask(b01)})`,
      `${(b01.rec / b01.dens).toFixed(1)}×`,
      pctStr(b01.prec),
      `${pctStr(bP.jac)} (${mask(bP)})`,
      pctStr(pd / (2 - pd)),
      working.length ? working.join('; ') : 'none',
      below.length ? below.map((x) => `${mask(x)} ${pctStr(x.rec)}%`).join('; ') : 'none',
    ]);
  }
  const header = [
    'task',
    'planted density (%)',
    'best recall at 0.01 (%)',
    '× chance',
    'its precision (%)',
    'best Jaccard at the planted density (%)',
    'chance Jaccard (%)',
    'works at the planted density',
    'recall at 0.5 below 0.8 × chance (%)',
  ];
  return markdownTable(header, rows);
}

/** Planted vs other mean |w| in one layer, first repetition of each task: 'relu 2.57×, circle 2.00×'. */
function weightRatio(s: PlantedSummary, layer: (names: string[]) => string | undefined): string {
  return s.tasks
    .map((t) => {
      const m = s.plants(t)[0]?.magnitudes ?? {};
      const a = m[layer(Object.keys(m)) ?? ''];
      return a?.planted ? `${t} ${(a.planted_abs / a.other_abs).toFixed(2)}×` : `${t} —`;
    })
    .join(', ');
}

/** The numbers quoted in the page's reading of the recovery results. */
export function recoveryReadingValues(s: PlantedSummary): PageValues {
  const { pruners } = s.data.study;
  const combos = (t: TaskName) => pruners.flatMap((p) => MODES.map((m) => ({ p, m, t })));
  const enrich = s.tasks.map((t) => {
    const best = Math.max(
      ...combos(t)
        .map((x) => cellRecall(s, t, x.p, x.m, '0.01'))
        .filter(Number.isFinite),
    );
    return Number.isFinite(best) ? `${(best / 0.01).toFixed(0)}×` : '—';
  });
  const precisions = s.tasks.flatMap((t) =>
    combos(t).flatMap((x) =>
      (['0.5', '0.1', '0.01', 'planted'] as const).map((d) =>
        mean(present(s.cell(t, x.p, x.m, d).rows.map((r) => r.precision))),
      ),
    ),
  );
  const maxPrecision = Math.max(0, ...precisions.filter(Number.isFinite));
  const names = layerNames(s);
  const maxRecall = (layer: string | undefined) =>
    Math.max(
      0,
      ...s.tasks
        .flatMap((t) => combos(t).map((x) => cellRecall(s, t, x.p, x.m, 'planted', layer)))
        .filter(Number.isFinite),
    );
  const output = names.at(-1);
  const circleGain = pruners
    .map((p) => ({ p, a: cellRecall(s, 'circle', p, 'single', '0.1'), b: cellRecall(s, 'circle', p, 'multi', '0.1') }))
    .sort((x, y) => y.b - y.a - (x.b - x.a))
    .map((x) => `${x.p} ${pctStr(x.a)}% → ${pctStr(x.b)}%`);
  const relu = s.plants('relu')[0];
  return {
    enrichment: enrich.join(' / '),
    enrichment_tasks: s.tasks.join(' / '),
    max_precision: pctStr(maxPrecision),
    min_not_planted: pctStr(1 - maxPrecision),
    max_recall_middle: names
      .slice(1, -1)
      .map((n) => `${n.replace(/\.weight$/, '')} ${pctStr(maxRecall(n))}%`)
      .join(', '),
    output_weight_ratio: weightRatio(s, (n) => n.at(-1)),
    input_weight_ratio: weightRatio(s, (n) => n[0]),
    magnitude_output_recall: s.tasks
      .filter((t) => t !== 'relu')
      .map((t) => `${pctStr(cellRecall(s, t, 'magnitude', 'single', '0.1', output))}% (${t})`)
      .join(' and '),
    multishot_gain: s.tasks.includes('circle')
      ? `${circleGain.join(', ')} (circle, density 0.1, single-shot → multishot)`
      : '— (circle not run)',
    relu_planted_edges: relu ? String(relu.planted_edges) : '—',
    relu_recall_step: relu ? (100 / relu.planted_edges).toFixed(0) : '—',
  };
}
