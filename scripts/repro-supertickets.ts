// `npm run repro:supertickets`: the SuperTickets study (src/studies/supertickets/): every seed as a `ticketlab
// supertickets-study` process, finished runs reused, then the seeds collected into the committed data file
// <out>/supertickets/results.jsonl and the page <out>/supertickets.md rendered from scripts/templates/supertickets.md.
//   --seeds N (default 2; seeds 0..N-1)  --parallel P (default: CPU count)  --root DIR  --out DIR (default docs/results)
//   --epochs E, --examples N, --budgets LIST, --transfer-budget R, --transfer-epochs E (smoke tests only)
//   --collect-only (train nothing: read every seed back from the stored runs into the data file, then render the page)
//   --report-only (render the page from the data file alone)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { defaultRoot } from '../src/store/root.js';
import { writePage } from '../src/report/page.js';
import { readSessions } from '../src/report/runtime.js';
import { renderStudyPage, studyFiles } from '../src/studies/pages.js';
import { runRecordedSeedGrid, settingsArgs } from '../src/studies/seed-grid.js';
import { runSuperTicketsSeed } from '../src/studies/supertickets/run.js';
import { SUPERTICKETS_STUDY_DEFAULTS, type SuperTicketsStudySettings } from '../src/studies/supertickets/settings.js';
import { writeSuperTicketsFigures } from '../src/studies/supertickets/page.js';
import { formatSuperTicketsData, parseSuperTicketsData, studyLineOf } from '../src/studies/supertickets/study-data.js';
import { finiteNumber, nonNegativeInt, positiveInt } from '../src/util/flags.js';
import { DataError, UserError } from '../src/util/errors.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const d = SUPERTICKETS_STUDY_DEFAULTS;
const opts = new Command('repro-supertickets')
  .option('--seeds <n>', 'seeds', '2')
  .option('--parallel <n>', 'processes at once', String(os.cpus().length))
  .option('--root <dir>', 'run root', defaultRoot())
  .option('--out <dir>', 'results directory for the page, its figure and data', path.join(repo, 'docs', 'results'))
  .option('--epochs <n>', 'epochs of every search (smoke tests only)', String(d.epochs))
  .option('--examples <n>', 'examples per epoch (smoke tests only)', String(d.examples))
  .option('--budgets <list>', 'target ratios (smoke tests only)', d.budgets.join(','))
  .option('--transfer-budget <r>', 'the budget transferred (smoke tests only)', String(d.transferBudget))
  .option('--transfer-epochs <n>', 'epochs on Fashion-MNIST (smoke tests only)', String(d.transferEpochs))
  .option('--collect-only', 'train nothing: collect the stored seeds into the data file, then render the page')
  .option('--report-only', 'only render the page from the committed data file')
  .parse()
  .opts<Record<string, string | boolean | undefined>>();

const root = path.resolve(String(opts.root));
const files = studyFiles('supertickets', repo, path.resolve(String(opts.out)));

function settingsOf(): SuperTicketsStudySettings {
  return {
    ...d,
    epochs: positiveInt('--epochs', 10_000)(String(opts.epochs)),
    examples: nonNegativeInt('--examples')(String(opts.examples)),
    budgets: String(opts.budgets)
      .split(',')
      .map((x) => finiteNumber('--budgets')(x)),
    transferBudget: finiteNumber('--transfer-budget')(String(opts.transferBudget)),
    transferEpochs: positiveInt('--transfer-epochs', 10_000)(String(opts.transferEpochs)),
  };
}

function rerunCommand(s: SuperTicketsStudySettings, seeds: number): string {
  const args = settingsArgs('', { ...s, seed: 0 }, { ...d, seed: 0 }).slice(1);
  return `npm run repro:supertickets -- --seeds ${seeds}${args.length ? ` ${args.join(' ')}` : ''}`;
}

async function runAndCollect(): Promise<void> {
  const s = settingsOf();
  const seeds = positiveInt('--seeds', 100)(String(opts.seeds));
  const parallel = positiveInt('--parallel')(String(opts.parallel));
  const sessions = path.join(root, 'repro-supertickets-sessions.jsonl');
  if (!opts.collectOnly)
    await runRecordedSeedGrid({
      script: 'repro:supertickets',
      argsOf: (i) => settingsArgs('supertickets-study', { ...s, seed: i }, { ...d, seed: -1 }),
      seeds,
      parallel,
      root,
      sessionsFile: sessions,
    });
  // Every run is stored now, so reading the seeds back trains nothing (a run still missing is trained here).
  const lines = [];
  for (let seed = 0; seed < seeds; seed++) lines.push(await runSuperTicketsSeed({ settings: { ...s, seed }, root }));
  const study = studyLineOf(
    s,
    lines.map((l) => l.seed),
    rerunCommand(s, seeds),
  );
  writePage(files.data, formatSuperTicketsData({ study, sessions: readSessions(sessions), seeds: lines }), [
    root,
    repo,
  ]);
  console.error(`wrote ${files.data}`);
}

async function main(): Promise<void> {
  if (!opts.reportOnly) await runAndCollect();
  if (!fs.existsSync(files.data)) throw new DataError(`no data file ${files.data}: run without --report-only first`);
  writePage(files.page, renderStudyPage('supertickets', files.template, files.data), [root, repo]);
  const figures = await writeSuperTicketsFigures(
    parseSuperTicketsData(fs.readFileSync(files.data, 'utf8')),
    path.dirname(files.page),
  );
  console.error(`wrote ${files.page} and ${figures.length} figure files`);
}

main().catch((e: Error) => {
  console.error(`repro:supertickets: ${e instanceof UserError ? e.message : (e.stack ?? e.message)}`);
  process.exit(1);
});
