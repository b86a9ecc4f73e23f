// The study template end to end on small real runs: a grid runs (and resumes), its results are collected into the
// compact data file, and the page's template renders from that file alone — every placeholder filled, no path of
// the run root or of this machine on the page, the same page from a round trip through the file. The LeNet data
// draws the same figures as `ticketlab report` on the run directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lotteryFigures } from '../src/report/lottery.js';
import { localPathsIn } from '../src/report/page.js';
import { renderStudyPage, studyFiles } from '../src/studies/pages.js';
import { jobOrder, lenetExperiment, runLenetGrid, type LenetGrid } from '../src/studies/lenet/grid.js';
import { lenetPlotTitle } from '../src/studies/lenet/page.js';
import {
  collectLenetData,
  formatLenetData,
  lotteryResultsOf,
  parseLenetData,
} from '../src/studies/lenet/study-data.js';
import { collectExperiment } from '../src/lottery/collect.js';
import { gridJobs, gridRows, type GridOptions } from '../src/studies/planted/grid.js';
import { runGrid } from '../src/studies/planted/grid-run.js';
import { plantedPageValues } from '../src/studies/planted/page.js';
import { collectPlantedData, formatPlantedData, parsePlantedData } from '../src/studies/planted/study-data.js';
import { runCli, repoRoot } from './helpers/cli.js';

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Renders a study's committed template from `data` written into a results directory under `out`. */
function render(name: 'planted' | 'lenet', out: string, data: string): string {
  const files = studyFiles(name, repoRoot, out);
  fs.mkdirSync(path.dirname(files.data), { recursive: true });
  fs.writeFileSync(files.data, data);
  return renderStudyPage(name, files.template, files.data);
}

test('planted: a small grid runs, resumes, and renders its page from the data file alone', async () => {
  const root = tempDir('tl-planted-grid-');
  const out = tempDir('tl-planted-out-');
  try {
    const grid: GridOptions = {
      reps: { single: 1, multi: 1 },
      tasks: ['relu'],
      pruners: ['magnitude'],
      epochs: 1,
      rounds: 2,
      pruneBias: true,
    };
    const recorded = await runGrid(root, grid);
    assert.equal(recorded, gridJobs(grid).length);
    assert.equal(await runGrid(root, grid), 0, 'a finished grid trains nothing');
    assert.equal(gridRows(root, { ...grid, epochs: 2 }).length, 0, 'rows of another training length are not this grid');

    const data = collectPlantedData(root, { ...grid, quick: true, command: 'npm run repro:planted -- --quick' });
    assert.equal(data.seeks.length, gridJobs(grid).length);
    assert.equal(data.plants.length, 1);
    const text = formatPlantedData(data);
    assert.deepEqual(parsePlantedData(text), data);
    assert.deepEqual(localPathsIn(text, [root]), [], 'the data file names no local path');

    const page = render('planted', out, text);
    assert.deepEqual(localPathsIn(page, [root, repoRoot]), []);
    assert.doesNotMatch(page, /\{\{|\}\}/);
    assert.match(page, /QUICK SMOKE-TEST RUN/);
    assert.match(page, /### relu\n\nPlanted density 0\.020% \(4–4 of 20200 weights/);
    assert.match(page, /### circle\n\nPlanted density —/);
    // The dense row's recall is 100% for every pruner; magnitude at the planted density is in the table.
    assert.match(page, /\| single-shot \| magnitude \| +1 \| +100\.00 \|/);
    const values = plantedPageValues(data);
    assert.ok(page.includes(values.relu_table!) && page.includes(values.findings_table!));
    assert.match(values.sessions!, /No session was recorded/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('lenet: each replicate runs its chain, then its controls, and no process is left alone at the end', () => {
  const order = (r: number, p: number) => jobOrder(r, p).map((j) => `${j.controls ? 'R' : 'M'}${j.replicate}`);
  assert.deepEqual(order(5, 2), ['M1', 'M2', 'R1', 'M3', 'R2', 'M4', 'R3', 'M5', 'R4', 'R5']);
  assert.deepEqual(order(2, 1), ['M1', 'R1', 'M2', 'R2']);
  assert.deepEqual(order(2, 4), ['M1', 'M2', 'R1', 'R2']);
});

test('lenet: replicates run as lottery processes; the committed data draws the report figures', async () => {
  const root = tempDir('tl-lenet-grid-');
  const out = tempDir('tl-lenet-out-');
  try {
    const grid: LenetGrid = { replicates: 1, levels: 1, steps: '100it', root };
    assert.equal(await runLenetGrid(grid, 1), 3, 'the dense level, level 1 and its reinit twin');
    const exp = lenetExperiment(grid);
    assert.equal(await runLenetGrid(grid, 1), 0, 'a finished grid reuses every level');

    const data = collectLenetData(exp.dir, grid, 'npm run repro:lenet -- --replicates 1 --levels 1 --steps 100it');
    assert.equal(data.levels.length, 3);
    assert.deepEqual(
      data.levels.map((l) => l.curve!.length > 0),
      [true, true, false],
      'curves only where plotted',
    );
    const text = formatLenetData(data);
    assert.deepEqual(parseLenetData(text), data);
    assert.deepEqual(localPathsIn(text, [root]), []);

    const page = render('lenet', out, text);
    assert.deepEqual(localPathsIn(page, [root, repoRoot]), []);
    assert.doesNotMatch(page, /\{\{|\}\}/);
    assert.match(page, /SMOKE-TEST RUN/);
    assert.match(page, new RegExp(`npx ticketlab report ${exp.name}`));
    assert.match(page, /\(glorot_normal\nweights, zero biases\)/);
    assert.match(page, /differ from today's defaults: `steps = "100it"` \(today: "50000it"\)\.\n/);
    assert.match(page, /\*\*Bias init:\*\* zero, as in the reference code/);

    // The page's figures equal the lottery report's on the run directory (same rows, same curves).
    const fromData = lotteryFigures([lotteryResultsOf(data)], {
      title: lenetPlotTitle(data),
      curves: data.levels.filter((l) => l.curve?.length),
    });
    const fromRun = lotteryFigures([collectExperiment(exp.dir)], { title: lenetPlotTitle(data) });
    assert.deepEqual(JSON.parse(JSON.stringify(fromData)), JSON.parse(JSON.stringify(fromRun)));

    // `ticketlab report` on the run directory still writes its figures and table.
    const report = runCli(['--json', 'report', exp.dir, '--out', path.join(out, 'report')]);
    assert.equal(report.status, 0, report.stderr);
    const files = report.json<{ files: string[]; rows: number }>();
    assert.equal(files.rows, 4);
    assert.deepEqual(
      files.files.map((f) => path.basename(f)),
      ['accuracy.svg', 'accuracy.png', 'early_stop.svg', 'early_stop.png', 'curves.svg', 'curves.png', 'report.md'],
    );
    // Both tables print the dense row's Pm and accuracy alike.
    const dense = /\| +0 \| +(100) \| +([\d.]+) \|/.exec(page);
    assert.ok(dense, 'the page has a dense row');
    const reportMd = fs.readFileSync(path.join(out, 'report', 'report.md'), 'utf8');
    assert.match(reportMd, new RegExp(`\\| +${dense[1]} \\| +${dense[2]!.replace('.', '\\.')} \\(1\\) \\|`));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  }
});
