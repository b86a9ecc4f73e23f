// `npm run repro:ownership`: the ownership study (src/studies/ownership/): every seed as a `ticketlab ownership-study`
// process, finished stages reused, then the seeds collected into the committed data file
// <out>/ownership/results.jsonl and the page <out>/ownership.md rendered from scripts/templates/ownership.md.
//   --seeds N (default 3; seeds 1..N)  --parallel P (default: CPU count)  --root DIR  --out DIR (default docs/results)
//   --steps S, --levels L (smoke tests only; the defaults are the study's)
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
import { runOwnershipSeed } from '../src/studies/ownership/run.js';
import { OWNERSHIP_STUDY_DEFAULTS, type OwnershipStudySettings } from '../src/studies/ownership/settings.js';
import { writeOwnershipFigures } from '../src/studies/ownership/page.js';
import { formatOwnershipData, parseOwnershipData, studyLineOf } from '../src/studies/ownership/study-data.js';
import { positiveInt } from '../src/util/flags.js';
import { DataError, UserError } from '../src/util/errors.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const d = OWNERSHIP_STUDY_DEFAULTS;
const opts = new Command('repro-ownership')
  .option('--seeds <n>', 'seeds', '3')
  .option('--parallel <n>', 'processes at once', String(os.cpus().length))
  .option('--root <dir>', 'run root', defaultRoot())
  .option('--out <dir>', 'results directory for the page, its figure and data', path.join(repo, 'docs', 'results'))
  .option('--steps <steps>', 'iterations per level and retraining (smoke tests only)', d.steps)
  .option('--levels <n>', 'IMP levels (smoke tests only)', String(d.levels))
  .option('--collect-only', 'train nothing: collect the stored seeds into the data file, then render the page')
  .option('--report-only', 'only render the page from the committed data file')
  .parse()
  .opts<Record<string, string | boolean | undefined>>();

const root = path.resolve(String(opts.root));
const files = studyFiles('ownership', repo, path.resolve(String(opts.out)));

function settingsOf(): OwnershipStudySettings {
  const levels = positiveInt('--levels', 100)(String(opts.levels));
  const s = { ...d, steps: String(opts.steps), levels };
  if (levels !== d.levels) Object.assign(s, { signLevel: Math.min(d.signLevel, levels), lockLevel: levels });
  return s;
}

function rerunCommand(s: OwnershipStudySettings, seeds: number): string {
  const extra = `${s.steps !== d.steps ? ` --steps ${s.steps}` : ''}${s.levels !== d.levels ? ` --levels ${s.levels}` : ''}`;
  return `npm run repro:ownership -- --seeds ${seeds}${extra}`;
}

async function runAndCollect(): Promise<void> {
  const s = settingsOf();
  const seeds = positiveInt('--seeds', 100)(String(opts.seeds));
  const parallel = positiveInt('--parallel')(String(opts.parallel));
  const sessions = path.join(root, 'repro-ownership-sessions.jsonl');
  if (!opts.collectOnly)
    await runRecordedSeedGrid({
      script: 'repro:ownership',
      argsOf: (i) => settingsArgs('ownership-study', { ...s, seed: i + 1 }, { ...OWNERSHIP_STUDY_DEFAULTS, seed: -1 }),
      seeds,
      parallel,
      root,
      sessionsFile: sessions,
    });
  // Every stage is stored now, so reading the seeds back trains nothing (a stage still missing is trained here).
  const lines = [];
  for (let seed = 1; seed <= seeds; seed++) lines.push(await runOwnershipSeed({ settings: { ...s, seed }, root }));
  const study = studyLineOf(
    s,
    lines.map((l) => l.seed),
    rerunCommand(s, seeds),
  );
  writePage(files.data, formatOwnershipData({ study, sessions: readSessions(sessions), seeds: lines }), [root, repo]);
  console.error(`wrote ${files.data}`);
}

async function main(): Promise<void> {
  if (!opts.reportOnly) await runAndCollect();
  if (!fs.existsSync(files.data)) throw new DataError(`no data file ${files.data}: run without --report-only first`);
  writePage(files.page, renderStudyPage('ownership', files.template, files.data), [root, repo]);
  const figures = await writeOwnershipFigures(
    parseOwnershipData(fs.readFileSync(files.data, 'utf8')),
    path.dirname(files.page),
  );
  console.error(`wrote ${files.page} and ${figures.length} figure files`);
}

main().catch((e: Error) => {
  console.error(`repro:ownership: ${e instanceof UserError ? e.message : (e.stack ?? e.message)}`);
  process.exit(1);
});
