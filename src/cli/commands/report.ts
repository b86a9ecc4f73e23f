// `ticketlab report RUN…`: plots (SVG + PNG) and a Markdown table of lottery experiments (src/report/lottery.ts),
// read from their run directories.
import path from 'node:path';
import type { Command } from 'commander';
import { collectExperiment, resolveExperiment } from '../../lottery/collect.js';
import { ACCURACY_KINDS, lotteryRows, writeLotteryReport, type AccuracyKind } from '../../report/lottery.js';
import { UserError } from '../../util/errors.js';
import { ensureWritableDir } from '../../store/atomic.js';
import { oneOf } from '../../util/flags.js';
import { emit, say, type GlobalOptions } from '../output.js';
import fs from 'node:fs';
import { defaultRoot } from '../../store/root.js';
import { parseSweepSpec } from '../../sweeps/spec.js';
import { sweepReport, sweepTable } from '../../sweeps/report.js';
import { sweepCommandFlags } from './sweep.js';

export function reportCommand(program: Command): void {
  program
    .command('report')
    .description('plots and a table for lottery experiments (winning ticket vs controls)')
    .argument('[runs...]', 'experiment directories or names (lottery_<hash>)')
    .option('--sweep <spec>', 'report a sweep instead: its spec file (or its hash), runs grouped by the axes')
    .option('--root <dir>', 'run root to look names up in (default: as for lottery)')
    .option('--out <dir>', 'output directory (default: <first experiment>/report)')
    .option(
      '--accuracy <which>',
      'accuracy to plot: early-stop (the paper), final or best',
      oneOf('--accuracy', ACCURACY_KINDS),
      'early-stop',
    )
    .option('--title <text>', 'plot title')
    .action(
      async (
        runs: string[],
        o: { root?: string; out?: string; accuracy: AccuracyKind; title?: string; sweep?: string },
      ) => {
        const g = program.opts<GlobalOptions>();
        if (o.sweep) return reportSweep(g, program, o.sweep, o.root);
        if (runs.length === 0) throw new UserError('report needs experiment names or directories, or --sweep SPEC');
        const exps = runs.map((r) => collectExperiment(resolveExperiment(r, o.root)));
        if (lotteryRows(exps).length === 0)
          throw new UserError(`no finished levels in ${exps.map((e) => e.name).join(', ')}`);
        const out = path.resolve(o.out ?? path.join(exps[0]!.dir, 'report'));
        ensureWritableDir(out, 'report directory');
        const model = String(exps[0]!.hparams.non_default['model.model'] ?? '');
        const title = o.title ?? `${model}: ${exps.map((e) => e.name).join(', ')}`;
        const { markdown, files } = await writeLotteryReport(exps, out, { title, accuracy: o.accuracy });
        if (g.json) return emit(g, { experiments: exps.map((e) => e.name), rows: lotteryRows(exps).length, files });
        say(g, markdown);
        say(g, `wrote ${files.join(', ')}`);
      },
    );
}

function reportSweep(g: GlobalOptions, program: Command, spec: string, rootFlag?: string): void {
  const root = rootFlag ?? defaultRoot();
  const hash = fs.existsSync(spec)
    ? parseSweepSpec(fs.readFileSync(spec, 'utf8'), spec, sweepCommandFlags(program)).hash
    : spec;
  const r = sweepReport(root, hash);
  if (g.json) return emit(g, { sweep: hash, ...r });
  say(g, `sweep ${hash} (${r.command}), grouped by ${r.axes.join(', ') || 'nothing (no axes)'}:`);
  say(g, sweepTable(r));
}
