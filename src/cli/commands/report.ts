// `ticketlab report RUN…`: plots (SVG + PNG) and a Markdown table of lottery experiments, in the style of the
// LTH paper: accuracy and early-stop iteration against percent of weights remaining, per series, with spread
// over replicates; plus the winning tickets' training curves.
import path from 'node:path';
import type { Command } from 'commander';
import { collectExperiment, resolveExperiment, seriesName, type ExperimentResults } from '../../lottery/collect.js';
import { TRUNK } from '../../lottery/layout.js';
import { accuracyPlot, earlyStopPlot, lineChart, markdownTable, ticketTable, writePlot, type TicketRow } from '../../report/index.js';
import { writeFileAtomic } from '../../store/atomic.js';
import { UserError } from '../../util/errors.js';
import { oneOf } from '../../util/flags.js';
import { emit, say, type GlobalOptions } from '../output.js';

interface Row extends TicketRow {
  finalAccuracy: number;
  bestAccuracy: number;
}

const ACCURACY = ['early-stop', 'final', 'best'] as const;

export function reportCommand(program: Command): void {
  program
    .command('report')
    .description('plots and a table for lottery experiments (winning ticket vs controls)')
    .argument('<runs...>', 'experiment directories or names (lottery_<hash>)')
    .option('--root <dir>', 'run root to look names up in (default: as for lottery)')
    .option('--out <dir>', 'output directory (default: <first experiment>/report)')
    .option('--accuracy <which>', 'accuracy to plot: early-stop (the paper), final or best', oneOf('--accuracy', ACCURACY), 'early-stop')
    .option('--title <text>', 'plot title')
    .action(async (runs: string[], o: { root?: string; out?: string; accuracy: (typeof ACCURACY)[number]; title?: string }) => {
      const g = program.opts<GlobalOptions>();
      const exps = runs.map((r) => collectExperiment(resolveExperiment(r, o.root)));
      const rows = toRows(exps);
      if (rows.length === 0) throw new UserError(`no finished levels in ${exps.map((e) => e.name).join(', ')}`);
      const out = path.resolve(o.out ?? path.join(exps[0]!.dir, 'report'));
      const model = String((exps[0]!.hparams.non_default as Record<string, unknown>)['model.model'] ?? '');
      const title = o.title ?? `${model}: ${exps.map((e) => e.name).join(', ')}`;
      const field = o.accuracy === 'final' ? 'finalAccuracy' : o.accuracy === 'best' ? 'bestAccuracy' : 'testAccuracy';
      const written: string[] = [];
      const acc = await writePlot(path.join(out, 'accuracy'), accuracyPlot(rows, { title, accuracyField: field }));
      const es = await writePlot(path.join(out, 'early_stop'), earlyStopPlot(rows, { title }));
      written.push(acc.svgPath, acc.pngPath, es.svgPath, es.pngPath);
      const curves = curveRows(exps[0]!);
      if (curves.length) {
        const c = await writePlot(path.join(out, 'curves'), lineChart({ rows: curves, x: 'step', y: 'accuracy', color: 'Pm', colorTitle: 'Pm (%)', title: `${title}: winning tickets, replicate ${curves[0]!.replicate}`, xTitle: 'Training iteration', yTitle: 'Test accuracy (%)' }));
        written.push(c.svgPath, c.pngPath);
      }
      const md = markdown(exps, rows, field, o.accuracy);
      const mdPath = path.join(out, 'report.md');
      writeFileAtomic(mdPath, md);
      written.push(mdPath);
      if (g.json) return emit(g, { experiments: exps.map((e) => e.name), rows: rows.length, files: written });
      say(g, md);
      say(g, `wrote ${written.join(', ')}`);
    });
}

function toRows(exps: ExperimentResults[]): Row[] {
  const rows: Row[] = [];
  for (const e of exps) {
    const prefix = exps.length > 1 ? `${e.name}: ` : '';
    const controls = [...new Set(e.levels.filter((l) => l.branch !== TRUNK).map((l) => l.branch))];
    for (const l of e.levels) {
      const row = { replicate: l.replicate, density: l.density, testAccuracy: l.early_stop_test_accuracy, finalAccuracy: l.test_accuracy, bestAccuracy: l.best_test_accuracy, earlyStopStep: l.early_stop_step };
      rows.push({ series: prefix + seriesName(l.branch), ...row });
      // The dense network (level 0) is every control's starting point too.
      if (l.branch === TRUNK && l.level === 0) for (const b of controls) rows.push({ series: prefix + seriesName(b), ...row });
    }
  }
  return rows;
}

function curveRows(e: ExperimentResults): { step: number; accuracy: number; Pm: string; replicate: number }[] {
  const rep = Math.min(...e.levels.map((l) => l.replicate));
  const trunk = e.levels.filter((l) => l.branch === TRUNK && l.replicate === rep && l.curve);
  const pick = trunk.length > 6 ? trunk.filter((_, i) => i % Math.ceil(trunk.length / 6) === 0 || i === trunk.length - 1) : trunk;
  return pick.flatMap((l) => l.curve.map((p) => ({ step: p.step, accuracy: (p.test_accuracy ?? 0) * 100, Pm: (l.density * 100).toFixed(1), replicate: rep })));
}

function markdown(exps: ExperimentResults[], rows: Row[], field: 'testAccuracy' | 'finalAccuracy' | 'bestAccuracy', which: string): string {
  const parts = [`# Lottery ticket report`, ''];
  for (const e of exps) {
    const nd = Object.entries(e.hparams.non_default).map(([k, v]) => [k, JSON.stringify(v)]);
    const reps = new Set(e.levels.map((l) => l.replicate)).size;
    parts.push(`## ${e.name} (${reps} replicate${reps === 1 ? '' : 's'})`, '', markdownTable(['hyperparameter (non-default)', 'value'], nd), '');
  }
  parts.push(`Accuracy: test accuracy ${which === 'early-stop' ? 'at the early-stop iteration (minimum validation loss)' : which === 'final' ? 'at the end of training' : 'best over training'}; mean ± sample std (n replicates).`, '');
  parts.push(ticketTable(rows, field), '');
  parts.push('![accuracy](accuracy.png)', '', '![early stop](early_stop.png)', '', '![curves](curves.png)', '');
  return parts.join('\n');
}
