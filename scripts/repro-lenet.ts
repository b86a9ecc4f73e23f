// `npm run repro:lenet`: the Lottery Ticket Hypothesis paper's LeNet-300-100 experiment with its hyperparameters and
// the random-reinit control at every level, in parallel processes: each replicate's IMP chain, then its controls
// (src/studies/lenet/grid.ts).
// Finished levels are reused, so a rerun resumes. Collects the levels into the committed data file
// <out>/lenet/results.jsonl, then renders <out>/lenet.md from scripts/templates/lenet.md and its figures.
//   --replicates N (default 5, the paper's)  --parallel P (default: CPU count)  --levels L (default 16)  --root DIR
//   --steps S (iterations per level: smoke tests only)  --out DIR (default docs/results)
//   --report-only (render the page from the data file alone; nothing runs and no run root is needed)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { defaultRoot } from '../src/store/root.js';
import type { LevelRecord } from '../src/lottery/record.js';
import { writePage } from '../src/report/page.js';
import { appendSession, startSession } from '../src/report/runtime.js';
import { renderStudyPage, studyFiles } from '../src/studies/pages.js';
import { lenetExperiment, runLenetGrid, type LenetGrid } from '../src/studies/lenet/grid.js';
import { writeLenetFigures } from '../src/studies/lenet/page.js';
import { collectLenetData, formatLenetData, parseLenetData, sessionsFile } from '../src/studies/lenet/study-data.js';
import { positiveInt } from '../src/util/flags.js';
import { DataError, UserError } from '../src/util/errors.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const opts = new Command('repro-lenet')
  .option('--replicates <n>', "replicates (the paper's 5)", '5')
  .option('--parallel <n>', 'processes at once', String(os.cpus().length))
  .option('--levels <n>', 'pruning levels after the dense level 0', '16')
  .option('--root <dir>', 'run root', defaultRoot())
  .option('--steps <steps>', "iterations per level (smoke tests only; the paper's: 50000it)")
  .option('--out <dir>', 'results directory for the page, its figures and data', path.join(repo, 'docs', 'results'))
  .option('--report-only', 'only render the page from the committed data file')
  .parse()
  .opts<{
    replicates: string;
    parallel: string;
    levels: string;
    root: string;
    steps?: string;
    out: string;
    reportOnly?: boolean;
  }>();

/** The grid the options ask for (checked here, so a bad value ends in one line, not a stack). */
function gridOf(): LenetGrid {
  return {
    replicates: positiveInt('--replicates')(opts.replicates),
    levels: positiveInt('--levels')(opts.levels),
    steps: opts.steps,
    root,
  };
}

const root = path.resolve(opts.root);
const files = studyFiles('lenet', repo, path.resolve(opts.out));

/** The command that reruns this grid, without machine-local paths. */
function rerunCommand(grid: LenetGrid): string {
  const steps = grid.steps ? ` --steps ${grid.steps}` : '';
  return `npm run repro:lenet -- --replicates ${grid.replicates} --levels ${grid.levels}${steps}`;
}

function levelLine(r: LevelRecord): string {
  const acc = `acc@early-stop ${(r.early_stop_test_accuracy * 100).toFixed(2)}%, early stop ${r.early_stop_step}`;
  const time = r.reused ? ' (reused)' : ` (${r.seconds.toFixed(0)} s)`;
  return `replicate ${r.replicate} level ${r.level} ${r.branch}: Pm ${(r.density * 100).toFixed(1)}%, ${acc}${time}`;
}

async function runAndCollect(): Promise<void> {
  const grid = gridOf();
  const parallel = positiveInt('--parallel')(opts.parallel);
  const exp = lenetExperiment(grid);
  const plan = `${grid.replicates} replicate(s) × ${grid.levels + 1} levels, ${parallel} at a time`;
  console.error(`repro:lenet: ${plan}; experiment ${exp.name} under ${grid.root}`);
  const session = startSession(Math.min(parallel, grid.replicates));
  // The session is recorded even when the grid stops early (Ctrl-C, a failed replicate): its levels are stored.
  let trained = 0;
  try {
    await runLenetGrid(grid, parallel, (r) => {
      if (!r.reused) trained++;
      console.error(levelLine(r));
    });
  } finally {
    if (trained > 0) appendSession(sessionsFile(exp.dir), session.finish(trained));
  }
  const data = collectLenetData(exp.dir, grid, rerunCommand(grid));
  writePage(files.data, formatLenetData(data), [root, repo]);
  console.error(`wrote ${files.data}`);
}

async function main(): Promise<void> {
  if (!opts.reportOnly) await runAndCollect();
  if (!fs.existsSync(files.data)) throw new DataError(`no data file ${files.data}: run without --report-only first`);
  writePage(files.page, renderStudyPage('lenet', files.template, files.data), [root, repo]);
  const figures = await writeLenetFigures(
    parseLenetData(fs.readFileSync(files.data, 'utf8')),
    path.dirname(files.page),
  );
  console.error(`wrote ${files.page} and ${figures.length} figure files`);
}

main().catch((e: Error) => {
  console.error(`repro:lenet: ${e instanceof UserError ? e.message : (e.stack ?? e.message)}`);
  process.exit(1);
});
