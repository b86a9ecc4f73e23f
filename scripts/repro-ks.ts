// `npm run repro:ks`: the KS-Lottery study (src/studies/ks/): every seed as a `ticketlab ks-study` process, finished
// stages reused, then the seeds collected into the committed data file <out>/ks-lottery/results.jsonl and the page
// <out>/ks-lottery.md rendered from scripts/templates/ks-lottery.md with its figures.
//   --seeds N (default 3)  --parallel P (default: CPU count)  --root DIR  --out DIR (default docs/results)
//   --pretrain-steps, --tune-steps, --budgets (smoke tests only; the defaults are the study's)
//   --report-only (render the page from the data file alone)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { defaultRoot } from '../src/store/root.js';
import { writePage } from '../src/report/page.js';
import { readSessions } from '../src/report/runtime.js';
import { experimentDir } from '../src/store/experiment-dir.js';
import { renderStudyPage, studyFiles } from '../src/studies/pages.js';
import { runRecordedSeedGrid, settingsArgs } from '../src/studies/seed-grid.js';
import { ksIdentity, runKsSeed } from '../src/studies/ks/run.js';
import { KS_STUDY_DEFAULTS, type KsStudySettings } from '../src/studies/ks/settings.js';
import { writeKsFigures } from '../src/studies/ks/page.js';
import { formatKsData, parseKsData, seedLineOf, studyLineOf } from '../src/studies/ks/study-data.js';
import { positiveInt } from '../src/util/flags.js';
import { DataError, UserError } from '../src/util/errors.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const d = KS_STUDY_DEFAULTS;
const opts = new Command('repro-ks')
  .option('--seeds <n>', 'seeds', '3')
  .option('--parallel <n>', 'processes at once', String(os.cpus().length))
  .option('--root <dir>', 'run root', defaultRoot())
  .option('--out <dir>', 'results directory for the page, its figures and data', path.join(repo, 'docs', 'results'))
  .option('--pretrain-steps <n>', 'pretraining steps (smoke tests only)', String(d.pretrainSteps))
  .option('--tune-steps <n>', 'tuning steps (smoke tests only)', String(d.tuneSteps))
  .option('--budgets <list>', 'row budgets (smoke tests only)', d.budgets.join(','))
  .option('--report-only', 'only render the page from the committed data file')
  .parse()
  .opts<Record<string, string | boolean | undefined>>();

const root = path.resolve(String(opts.root));
const files = studyFiles('ks-lottery', repo, path.resolve(String(opts.out)));

function settingsOf(): KsStudySettings {
  return {
    ...d,
    pretrainSteps: positiveInt('--pretrain-steps')(String(opts.pretrainSteps)),
    tuneSteps: positiveInt('--tune-steps')(String(opts.tuneSteps)),
    budgets: String(opts.budgets)
      .split(',')
      .map((k) => positiveInt('--budgets')(k)),
  };
}

function rerunCommand(s: KsStudySettings, seeds: number): string {
  const extra = [
    s.pretrainSteps !== d.pretrainSteps ? ` --pretrain-steps ${s.pretrainSteps}` : '',
    s.tuneSteps !== d.tuneSteps ? ` --tune-steps ${s.tuneSteps}` : '',
    s.budgets.join() !== d.budgets.join() ? ` --budgets ${s.budgets.join(',')}` : '',
  ].join('');
  return `npm run repro:ks -- --seeds ${seeds}${extra}`;
}

async function runAndCollect(): Promise<void> {
  const s = settingsOf();
  const seeds = positiveInt('--seeds', 100)(String(opts.seeds));
  const parallel = positiveInt('--parallel')(String(opts.parallel));
  const sessions = path.join(experimentDir(root, 'ks', ksIdentity(s)).dir, 'repro-ks-sessions.jsonl');
  await runRecordedSeedGrid({
    script: 'repro:ks',
    argsOf: (seed) => settingsArgs('ks-study', { ...s, seed }, KS_STUDY_DEFAULTS),
    seeds,
    parallel,
    root,
    sessionsFile: sessions,
  });
  // Every stage is stored now: reading the seeds back trains nothing.
  const lines = [];
  for (let seed = 0; seed < seeds; seed++) lines.push(seedLineOf(await runKsSeed({ settings: { ...s, seed }, root })));
  const data = { study: studyLineOf(s, seeds, rerunCommand(s, seeds)), sessions: readSessions(sessions), seeds: lines };
  writePage(files.data, formatKsData(data), [root, repo]);
  console.error(`wrote ${files.data}`);
}

async function main(): Promise<void> {
  if (!opts.reportOnly) await runAndCollect();
  if (!fs.existsSync(files.data)) throw new DataError(`no data file ${files.data}: run without --report-only first`);
  writePage(files.page, renderStudyPage('ks-lottery', files.template, files.data), [root, repo]);
  const figures = await writeKsFigures(parseKsData(fs.readFileSync(files.data, 'utf8')), path.dirname(files.page));
  console.error(`wrote ${files.page} and ${figures.length} figure files`);
}

main().catch((e: Error) => {
  console.error(`repro:ks: ${e instanceof UserError ? e.message : (e.stack ?? e.message)}`);
  process.exit(1);
});
