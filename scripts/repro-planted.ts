// `npm run repro:planted`: Plant 'n' Seek (Fischer & Burkholz, ICLR 2022) on the relu, circle and helix tasks at
// depth 5, width 100: every pruner, single-shot and multishot, at densities 1, 0.5, 0.1, 0.01 and the planted
// density (src/studies/planted/grid.ts). Resumes an interrupted grid, collects the results into the committed data
// file <out>/planted/results.jsonl, then renders <out>/planted.md from scripts/templates/planted.md and its figures.
//   --reps-single N (default 25)  --reps-multi N (default 10): the paper's repetitions; fewer for smoke tests
//   --parallel P (default: CPU count): configurations in P `ticketlab seek` processes (1: in this process)
//   --no-prune-bias (default: biases pruned with the weights, as in the paper)
//   --tasks relu,circle,helix  --pruners random,magnitude,snip,grasp,synflow  --root DIR
//   --quick (1 rep, 2 epochs, 2 multishot rounds: smoke tests only)  --out DIR (default docs/results)
//   --report-only (render the page from the data file alone; nothing runs and no run root is needed)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { defaultRoot } from '../src/store/root.js';
import { PRUNER_NAMES } from '../src/pruning/scorers/index.js';
import { writePage } from '../src/report/page.js';
import { appendSession, formatDuration, startSession } from '../src/report/runtime.js';
import { renderStudyPage, studyFiles } from '../src/studies/pages.js';
import { MODE_NAME, PAPER_REPS, type GridOptions } from '../src/studies/planted/grid.js';
import { runGrid, type GridProgress } from '../src/studies/planted/grid-run.js';
import { writePlantedFigures } from '../src/studies/planted/page.js';
import { checkPruner } from '../src/studies/planted/seek.js';
import {
  collectPlantedData,
  formatPlantedData,
  parsePlantedData,
  sessionsFile,
} from '../src/studies/planted/study-data.js';
import { TASK_NAMES, checkTaskName } from '../src/studies/planted/tasks.js';
import { DataError, UserError } from '../src/util/errors.js';
import { positiveInt } from '../src/util/flags.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const opts = new Command('repro-planted')
  .option('--reps-single <n>', 'single-shot repetitions (each re-plants with its own seed)', String(PAPER_REPS.single))
  .option('--reps-multi <n>', 'multishot repetitions', String(PAPER_REPS.multi))
  .option('--parallel <p>', 'configurations run at once, each in its own process', String(os.availableParallelism()))
  .option('--no-prune-bias', 'prune weights only (default: biases too, as in the paper)')
  .option('--tasks <list>', 'comma-separated tasks', TASK_NAMES.join(','))
  .option('--pruners <list>', 'comma-separated pruners', PRUNER_NAMES.join(','))
  .option('--root <dir>', 'run root (planted networks, results.jsonl, sessions.jsonl)')
  .option('--out <dir>', 'results directory for the page, its figures and data', path.join(repo, 'docs', 'results'))
  .option('--quick', 'smoke test: 1 repetition, 2 epochs, 2 multishot rounds')
  .option('--report-only', 'only render the page from the committed data file')
  .parse()
  .opts<{
    repsSingle: string;
    repsMulti: string;
    parallel: string;
    pruneBias: boolean;
    tasks: string;
    pruners: string;
    root?: string;
    out: string;
    quick?: boolean;
    reportOnly?: boolean;
  }>();

const quick = opts.quick ?? false;
const root = path.resolve(opts.root ?? path.join(defaultRoot(), quick ? 'repro-planted-quick' : 'repro-planted'));
const files = studyFiles('planted', repo, path.resolve(opts.out));

/** The grid the options ask for (checked here, so a bad value ends in one line, not a stack). */
function gridOf(): GridOptions {
  return {
    reps: quick
      ? { single: 1, multi: 1 }
      : { single: positiveInt('--reps-single')(opts.repsSingle), multi: positiveInt('--reps-multi')(opts.repsMulti) },
    tasks: opts.tasks.split(',').map((t) => checkTaskName(t.trim())),
    pruners: opts.pruners.split(',').map((p) => checkPruner(p.trim())),
    epochs: quick ? 2 : 10,
    rounds: quick ? 2 : 10,
    pruneBias: opts.pruneBias,
  };
}

/** The command that reruns this grid, without machine-local paths (no --root, no --out). */
function rerunCommand(grid: GridOptions): string {
  const args = [
    ...(quick ? ['--quick'] : []),
    ...(opts.tasks !== TASK_NAMES.join(',') ? ['--tasks', opts.tasks] : []),
    ...(opts.pruners !== PRUNER_NAMES.join(',') ? ['--pruners', opts.pruners] : []),
    ...(!quick && grid.reps.single !== PAPER_REPS.single ? ['--reps-single', String(grid.reps.single)] : []),
    ...(!quick && grid.reps.multi !== PAPER_REPS.multi ? ['--reps-multi', String(grid.reps.multi)] : []),
    ...(grid.pruneBias ? [] : ['--no-prune-bias']),
  ];
  return `npm run repro:planted${args.length ? ` -- ${args.join(' ')}` : ''}`;
}

function progressLine(p: GridProgress, started: number): string {
  const j = p.job;
  const what = j.density === '1' ? 'dense (all pruners/modes)' : `${j.pruner} ${MODE_NAME[j.mode]}`;
  const r = p.result;
  const test = r?.ticket.test;
  const scoreText =
    j.task === 'circle'
      ? `acc ${(100 * (test?.accuracy ?? NaN)).toFixed(1)}%`
      : `rescaled MSE ${test?.loss_rescaled?.toExponential(2)}`;
  const recall = `recall ${(100 * (r?.recovery.total.recall ?? 0)).toFixed(1)}%${r?.collapse.collapsed ? ', COLLAPSED' : ''}`;
  const outcome = r ? `${scoreText}, ${recall}` : `FAILED: ${p.error}`;
  const time = `${p.seconds.toFixed(1)} s, elapsed ${formatDuration((Date.now() - started) / 1000)}`;
  return `[${p.index + 1}/${p.todo}] ${j.task} rep ${j.rep} ${what} d=${j.density}: ${outcome} — ${time}`;
}

async function runAndCollect(): Promise<void> {
  const grid = gridOf();
  const reps = `${grid.reps.single} single-shot / ${grid.reps.multi} multishot repetition(s)`;
  const parallel = positiveInt('--parallel')(opts.parallel);
  const plan = `${grid.tasks.length} task(s) × ${reps}, ${grid.epochs} epochs, ${grid.rounds} rounds, ${parallel} process(es)`;
  console.error(`repro:planted: grid of ${plan}${quick ? ' (QUICK)' : ''}; run root ${root}`);
  const session = startSession(parallel);
  const started = Date.now();
  const recorded = await runGrid(root, grid, {
    parallel,
    onJob: (p) => {
      session.sample();
      console.error(progressLine(p, started));
    },
  });
  if (recorded > 0) appendSession(sessionsFile(root), session.finish(recorded));
  const data = collectPlantedData(root, { ...grid, quick, command: rerunCommand(grid) });
  writePage(files.data, formatPlantedData(data), [root, repo]);
  console.error(`wrote ${files.data}`);
}

async function main(): Promise<void> {
  if (!opts.reportOnly) await runAndCollect();
  if (!fs.existsSync(files.data)) throw new DataError(`no data file ${files.data}: run without --report-only first`);
  writePage(files.page, renderStudyPage('planted', files.template, files.data), [root, repo]);
  const figures = await writePlantedFigures(
    parsePlantedData(fs.readFileSync(files.data, 'utf8')),
    path.dirname(files.page),
  );
  console.error(`wrote ${files.page} and ${figures.length} figures`);
}

main().catch((e: Error) => {
  console.error(`repro:planted: ${e instanceof UserError ? e.message : (e.stack ?? e.message)}`);
  process.exit(1);
});
