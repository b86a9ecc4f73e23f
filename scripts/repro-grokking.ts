// `npm run repro:grokking`: the Grokking Tickets study: the MLP's dense base, grokking ticket and every control on
// several seeds, and the transformer's base and ticket (src/studies/grokking/grid.ts), as parallel `ticketlab grok`
// processes. Finished runs are reused, so a rerun resumes. Collects the runs into the committed data file
// <out>/grokking/results.jsonl, then renders <out>/grokking.md from scripts/templates/grokking.md and its figures.
//   --seeds N (default 3)  --parallel P (default: CPU count)  --root DIR  --out DIR (default docs/results)
//   --p, --train-fraction, --lr, --epochs, --mlp-only (smoke tests only; the defaults are the paper's)
//   --collect-only (train nothing: collect what is stored, e.g. while the grid runs elsewhere)
//   --report-only (render the page from the data file alone)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { defaultRoot } from '../src/store/root.js';
import { writePage } from '../src/report/page.js';
import { appendSession, startSession } from '../src/report/runtime.js';
import { renderStudyPage, studyFiles } from '../src/studies/pages.js';
import { PAPER_P, runGrokGrid, type GridFailure, type GrokGrid } from '../src/studies/grokking/grid.js';
import { writeGrokFigures } from '../src/studies/grokking/page.js';
import { collectGrokData, formatGrokData, parseGrokData, sessionsFile } from '../src/studies/grokking/study-data.js';
import type { GrokResult } from '../src/studies/grokking/record.js';
import { GROK_DEFAULTS } from '../src/studies/grokking/settings.js';
import { finiteNumber, positiveInt } from '../src/util/flags.js';
import { DataError, UserError } from '../src/util/errors.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const opts = new Command('repro-grokking')
  .option('--seeds <n>', 'seeds', '3')
  .option('--parallel <n>', 'processes at once', String(os.cpus().length))
  .option('--root <dir>', 'run root', defaultRoot())
  .option('--out <dir>', 'results directory for the page, its figures and data', path.join(repo, 'docs', 'results'))
  .option('--p <n>', 'modulus (smoke tests only)', String(PAPER_P))
  .option('--train-fraction <x>', 'training share of the pairs (smoke tests only)', String(GROK_DEFAULTS.trainFraction))
  .option('--lr <x>', 'learning rate (smoke tests only)', String(GROK_DEFAULTS.lr))
  .option('--epochs <n>', 'epochs at most per run', String(GROK_DEFAULTS.epochs))
  .option('--mlp-only', 'leave the transformer out (smoke tests)')
  .option('--collect-only', 'train nothing: collect the runs stored so far into the data file, then render the page')
  .option('--report-only', 'only render the page from the committed data file')
  .parse()
  .opts<Record<string, string | boolean | undefined>>();

const root = path.resolve(String(opts.root));
const files = studyFiles('grokking', repo, path.resolve(String(opts.out)));

function gridOf(): GrokGrid {
  return {
    seeds: positiveInt('--seeds', 100)(String(opts.seeds)),
    p: positiveInt('--p', 10_000)(String(opts.p)),
    trainFraction: finiteNumber('--train-fraction')(String(opts.trainFraction)),
    lr: finiteNumber('--lr')(String(opts.lr)),
    epochs: positiveInt('--epochs', 10_000_000)(String(opts.epochs)),
    mlpOnly: opts.mlpOnly === true,
    root,
  };
}

/** The command that reruns this grid, without machine-local paths. */
function rerunCommand(g: GrokGrid): string {
  const d = GROK_DEFAULTS;
  const extra = [
    g.p !== PAPER_P ? ` --p ${g.p}` : '',
    g.trainFraction !== d.trainFraction ? ` --train-fraction ${g.trainFraction}` : '',
    g.lr !== d.lr ? ` --lr ${g.lr}` : '',
    g.epochs !== d.epochs ? ` --epochs ${g.epochs}` : '',
    g.mlpOnly ? ' --mlp-only' : '',
  ].join('');
  return `npm run repro:grokking -- --seeds ${g.seeds}${extra}`;
}

function runLine(r: GrokResult): string {
  const t = (x: number | null) => (x === null ? 'never' : String(x));
  const time = r.reused ? ' (reused)' : ` (${r.seconds.toFixed(0)} s)`;
  return `${r.model} seed ${r.seed} ${r.control}: t_mem ${t(r.t_mem)}, t_gen ${t(r.t_gen)}, ${r.epochs} epochs${time}`;
}

function collect(grid: GrokGrid): void {
  writePage(files.data, formatGrokData(collectGrokData(grid, rerunCommand(grid))), [root, repo]);
  console.error(`wrote ${files.data}`);
}

async function runAndCollect(): Promise<void> {
  const grid = gridOf();
  const parallel = positiveInt('--parallel')(String(opts.parallel));
  console.error(`repro:grokking: ${grid.seeds} seed(s), ${parallel} at a time, under ${grid.root}`);
  const session = startSession(parallel);
  // The session is recorded even when the grid stops early (Ctrl-C): its finished runs are stored.
  let trained = 0;
  let failures: GridFailure[];
  try {
    ({ failures } = await runGrokGrid(grid, parallel, (r) => {
      if (!r.reused) trained++;
      console.error(runLine(r));
    }));
  } finally {
    if (trained > 0) appendSession(sessionsFile(grid), session.finish(trained));
  }
  for (const f of failures)
    console.error(`not run: ${f.config.model} seed ${f.config.seed} ${f.config.control}: ${f.message}`);
  collect(grid);
}

async function main(): Promise<void> {
  if (opts.collectOnly) collect(gridOf());
  else if (!opts.reportOnly) await runAndCollect();
  if (!fs.existsSync(files.data)) throw new DataError(`no data file ${files.data}: run without --report-only first`);
  writePage(files.page, renderStudyPage('grokking', files.template, files.data), [root, repo]);
  const figures = await writeGrokFigures(parseGrokData(fs.readFileSync(files.data, 'utf8')), path.dirname(files.page));
  console.error(`wrote ${files.page} and ${figures.length} figure files`);
}

main().catch((e: Error) => {
  console.error(`repro:grokking: ${e instanceof UserError ? e.message : (e.stack ?? e.message)}`);
  process.exit(1);
});
