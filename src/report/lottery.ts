// The lottery report, in the style of the LTH paper: accuracy and early-stop iteration against percent of weights
// remaining per series with spread over replicates, the winning tickets' training curves, and a Markdown table.
// Built from experiment results in memory (read from run directories, or from a study's committed data file).
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { seriesName } from '../lottery/collect.js';
import { TRUNK } from '../lottery/layout.js';
import { writeFileAtomic } from '../store/atomic.js';
import type { TicketRow } from './aggregate.js';
import { writePlot } from './render.js';
import { markdownTable, ticketTable } from './table.js';
import { accuracyPlot, earlyStopPlot, lineChart } from './ticket-plots.js';

/** One finished level of one branch and replicate: what a lottery report reads of a stored level. */
export interface LotteryLevel {
  replicate: number;
  branch: string;
  level: number;
  density: number;
  test_accuracy: number;
  best_test_accuracy: number;
  early_stop_step: number;
  early_stop_test_accuracy: number;
  /** Test accuracy during training; may be empty where a study kept only the curves it plots. */
  curve?: readonly { step: number; test_accuracy: number }[];
}

export interface LotteryResults {
  name: string;
  hparams: { non_default: Record<string, unknown> };
  levels: readonly LotteryLevel[];
}

export const ACCURACY_KINDS = ['early-stop', 'final', 'best'] as const;
export type AccuracyKind = (typeof ACCURACY_KINDS)[number];

export interface LotteryRow extends TicketRow {
  finalAccuracy: number;
  bestAccuracy: number;
}
type AccuracyField = 'testAccuracy' | 'finalAccuracy' | 'bestAccuracy';
const FIELD: Record<AccuracyKind, AccuracyField> = {
  'early-stop': 'testAccuracy',
  final: 'finalAccuracy',
  best: 'bestAccuracy',
};
const ACCURACY_TEXT: Record<AccuracyKind, string> = {
  'early-stop': 'at the early-stop iteration (minimum validation loss)',
  final: 'at the end of training',
  best: 'best over training',
};

/** One row per level; the dense level 0 also starts every control series. Series are prefixed when comparing runs. */
export function lotteryRows(exps: readonly LotteryResults[]): LotteryRow[] {
  const rows: LotteryRow[] = [];
  for (const e of exps) {
    const prefix = exps.length > 1 ? `${e.name}: ` : '';
    const controls = [...new Set(e.levels.filter((l) => l.branch !== TRUNK).map((l) => l.branch))];
    for (const l of e.levels) {
      const row = {
        replicate: l.replicate,
        density: l.density,
        testAccuracy: l.early_stop_test_accuracy,
        finalAccuracy: l.test_accuracy,
        bestAccuracy: l.best_test_accuracy,
        earlyStopStep: l.early_stop_step,
      };
      rows.push({ series: prefix + seriesName(l.branch), ...row });
      if (l.branch === TRUNK && l.level === 0)
        for (const b of controls) rows.push({ series: prefix + seriesName(b), ...row });
    }
  }
  return rows;
}

/** The trunk levels whose curves the report draws: the first replicate's, at most about six of them. */
export function curveLevels<L extends LotteryLevel>(levels: readonly L[]): L[] {
  const rep = Math.min(...levels.map((l) => l.replicate));
  const trunk = levels.filter((l) => l.branch === TRUNK && l.replicate === rep && l.curve);
  return trunk.length > 6
    ? trunk.filter((_, i) => i % Math.ceil(trunk.length / 6) === 0 || i === trunk.length - 1)
    : trunk;
}

/** Test accuracy against iteration, one line per level (all the given levels' curves). */
export function curvesChart(levels: readonly LotteryLevel[], title: string): TopLevelSpec | null {
  const rows = levels.flatMap((l) =>
    (l.curve ?? []).map((p) => ({ step: p.step, accuracy: p.test_accuracy * 100, Pm: (l.density * 100).toFixed(1) })),
  );
  if (!rows.length) return null;
  const reps = [...new Set(levels.map((l) => l.replicate))].join(', ');
  return lineChart({
    rows,
    x: 'step',
    y: 'accuracy',
    color: 'Pm',
    colorTitle: 'Pm (%)',
    title: `${title}: winning tickets, replicate ${reps}`,
    xTitle: 'Training iteration',
    yTitle: 'Test accuracy (%)',
  });
}

export interface LotteryFigureOptions {
  title: string;
  accuracy?: AccuracyKind;
  /** Levels whose curves are drawn; default: `curveLevels` of the first experiment. */
  curves?: readonly LotteryLevel[];
}

/** The report's figures by file stem: accuracy, early_stop and (when there are curves) curves. */
export function lotteryFigures(
  exps: readonly LotteryResults[],
  o: LotteryFigureOptions,
): { name: string; spec: TopLevelSpec }[] {
  const rows = lotteryRows(exps);
  const figures = [
    {
      name: 'accuracy',
      spec: accuracyPlot(rows, { title: o.title, accuracyField: FIELD[o.accuracy ?? 'early-stop'] }),
    },
    { name: 'early_stop', spec: earlyStopPlot(rows, { title: o.title }) },
  ];
  const curves = curvesChart(o.curves ?? curveLevels(exps[0]!.levels), o.title);
  if (curves) figures.push({ name: 'curves', spec: curves });
  return figures;
}

/** The report's Markdown: non-default hyperparameters per experiment, then the ticket table and the figures. */
export function lotteryMarkdown(exps: readonly LotteryResults[], accuracy: AccuracyKind = 'early-stop'): string {
  const parts = [`# Lottery ticket report`, ''];
  for (const e of exps) {
    const nd = Object.entries(e.hparams.non_default).map(([k, v]) => [k, JSON.stringify(v)]);
    const reps = new Set(e.levels.map((l) => l.replicate)).size;
    parts.push(
      `## ${e.name} (${reps} replicate${reps === 1 ? '' : 's'})`,
      '',
      markdownTable(['hyperparameter (non-default)', 'value'], nd),
      '',
    );
  }
  parts.push(`Accuracy: test accuracy ${ACCURACY_TEXT[accuracy]}; mean ± sample std (n replicates).`, '');
  parts.push(ticketTable(lotteryRows(exps), FIELD[accuracy]), '');
  parts.push('![accuracy](accuracy.png)', '', '![early stop](early_stop.png)', '', '![curves](curves.png)', '');
  return parts.join('\n');
}

/** Writes every figure (SVG + PNG) into `out` and returns the paths. */
export async function writeLotteryFigures(
  out: string,
  figures: readonly { name: string; spec: TopLevelSpec }[],
): Promise<string[]> {
  const written: string[] = [];
  for (const f of figures) {
    const { svgPath, pngPath } = await writePlot(path.join(out, f.name), f.spec);
    written.push(svgPath, pngPath);
  }
  return written;
}

/** The whole report into `out`: figures and report.md. */
export async function writeLotteryReport(
  exps: readonly LotteryResults[],
  out: string,
  o: LotteryFigureOptions,
): Promise<{ markdown: string; files: string[] }> {
  const files = await writeLotteryFigures(out, lotteryFigures(exps, o));
  const markdown = lotteryMarkdown(exps, o.accuracy);
  const mdPath = path.join(out, 'report.md');
  writeFileAtomic(mdPath, markdown);
  return { markdown, files: [...files, mdPath] };
}
