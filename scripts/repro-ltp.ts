// `npm run repro:ltp`: the LTP study (src/studies/ltp/): every seed as a `ticketlab ltp-study` process, finished
// stages reused, then the seeds collected into the committed data file <out>/ltp/results.jsonl and the page
// <out>/ltp.md rendered from scripts/templates/ltp.md with its figure.
//   --seeds N (default 3)  --parallel P (default: CPU count)  --root DIR  --out DIR (default docs/results)
//   --pretrain-steps, --mlm-steps, --task-steps (smoke tests only; the defaults are the study's)
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
import { ltpIdentity, runLtpSeed } from '../src/studies/ltp/run.js';
import { LTP_STUDY_DEFAULTS, type LtpStudySettings } from '../src/studies/ltp/settings.js';
import { articleData, majorityShare } from '../src/studies/ltp/data.js';
import { writeLtpFigures } from '../src/studies/ltp/page.js';
import { formatLtpData, parseLtpData, studyLineOf } from '../src/studies/ltp/study-data.js';
import { positiveInt } from '../src/util/flags.js';
import { DataError, UserError } from '../src/util/errors.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const d = LTP_STUDY_DEFAULTS;
const opts = new Command('repro-ltp')
  .option('--seeds <n>', 'seeds', '3')
  .option('--parallel <n>', 'processes at once', String(os.cpus().length))
  .option('--root <dir>', 'run root', defaultRoot())
  .option('--out <dir>', 'results directory for the page, its figure and data', path.join(repo, 'docs', 'results'))
  .option('--pretrain-steps <n>', 'pretraining steps (smoke tests only)', String(d.pretrainSteps))
  .option('--mlm-steps <n>', 'masked-LM fine-tuning steps (smoke tests only)', String(d.mlmSteps))
  .option('--task-steps <n>', 'task steps (smoke tests only)', String(d.taskSteps))
  .option('--report-only', 'only render the page from the committed data file')
  .parse()
  .opts<Record<string, string | boolean | undefined>>();

const root = path.resolve(String(opts.root));
const files = studyFiles('ltp', repo, path.resolve(String(opts.out)));

function settingsOf(): LtpStudySettings {
  return {
    ...d,
    pretrainSteps: positiveInt('--pretrain-steps')(String(opts.pretrainSteps)),
    mlmSteps: positiveInt('--mlm-steps')(String(opts.mlmSteps)),
    taskSteps: positiveInt('--task-steps')(String(opts.taskSteps)),
  };
}

function rerunCommand(s: LtpStudySettings, seeds: number): string {
  const extra = (['pretrainSteps', 'mlmSteps', 'taskSteps'] as const)
    .filter((k) => s[k] !== d[k])
    .map((k) => ` --${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${s[k]}`)
    .join('');
  return `npm run repro:ltp -- --seeds ${seeds}${extra}`;
}

async function runAndCollect(): Promise<void> {
  const s = settingsOf();
  const seeds = positiveInt('--seeds', 100)(String(opts.seeds));
  const parallel = positiveInt('--parallel')(String(opts.parallel));
  const sessions = path.join(experimentDir(root, 'ltp', ltpIdentity(s)).dir, 'repro-ltp-sessions.jsonl');
  await runRecordedSeedGrid({
    script: 'repro:ltp',
    argsOf: (seed) => settingsArgs('ltp-study', { ...s, seed }, LTP_STUDY_DEFAULTS),
    seeds,
    parallel,
    root,
    sessionsFile: sessions,
  });
  // Every stage is stored now: reading the seeds back trains nothing.
  const lines = [];
  for (let seed = 0; seed < seeds; seed++) {
    const r = await runLtpSeed({ settings: { ...s, seed }, root });
    lines.push({
      kind: 'seed' as const,
      seed,
      pretrain_seconds: r.pretrainSeconds,
      ticket: r.ticket,
      results: r.results,
    });
  }
  const majority = Object.fromEntries(
    s.languages.map((l) => [l, majorityShare(articleData(l, s.window).y as Int32Array)]),
  );
  const study = studyLineOf(s, seeds, rerunCommand(s, seeds), majority);
  const data = { study, sessions: readSessions(sessions), seeds: lines };
  writePage(files.data, formatLtpData(data), [root, repo]);
  console.error(`wrote ${files.data}`);
}

async function main(): Promise<void> {
  if (!opts.reportOnly) await runAndCollect();
  if (!fs.existsSync(files.data)) throw new DataError(`no data file ${files.data}: run without --report-only first`);
  writePage(files.page, renderStudyPage('ltp', files.template, files.data), [root, repo]);
  const figures = await writeLtpFigures(parseLtpData(fs.readFileSync(files.data, 'utf8')), path.dirname(files.page));
  console.error(`wrote ${files.page} and ${figures.length} figure files`);
}

main().catch((e: Error) => {
  console.error(`repro:ltp: ${e instanceof UserError ? e.message : (e.stack ?? e.message)}`);
  process.exit(1);
});
