// The results-page machinery in src/report: strict template filling, the machine-local path guard, run-time session
// records, and the lottery report built from experiment results in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TRUNK } from '../src/lottery/layout.js';
import { curveLevels, lotteryFigures, lotteryMarkdown, lotteryRows, type LotteryLevel } from '../src/report/lottery.js';
import { fillTemplate, localPathsIn, placeholdersOf, writePage } from '../src/report/page.js';
import { formatDuration, readSessions, appendSession, sessionsTable, startSession } from '../src/report/runtime.js';
import { ticketTable } from '../src/report/table.js';
import { DataError } from '../src/util/errors.js';

test('fillTemplate fills every placeholder, once per occurrence, without re-scanning values', () => {
  const template = '# {{title}}\n\n{{table_relu}} and {{title}} again; {{note}}\n';
  const page = fillTemplate(template, { title: 'T', table_relu: '| a |', note: 'a {{literal}} value' });
  assert.equal(page, '# T\n\n| a | and T again; a {{literal}} value\n');
  assert.deepEqual(placeholdersOf(template), ['title', 'table_relu', 'note']);
});

test('fillTemplate fails on a missing value, an unused value and a malformed placeholder', () => {
  assert.throws(
    () => fillTemplate('{{a}} {{b}}', { a: '1' }),
    (e: Error) => e instanceof DataError && /without a value: b/.test(e.message),
  );
  assert.throws(() => fillTemplate('{{a}}', { a: '1', extra: '2' }), /without a placeholder in the template: extra/);
  assert.throws(() => fillTemplate('{{a}} {{ b }}', { a: '1' }), /malformed placeholder/);
  assert.throws(() => fillTemplate('{{a}} {{b-c}}', { a: '1' }), /malformed placeholder/);
  // An empty value is a value.
  assert.equal(fillTemplate('x{{a}}y', { a: '' }), 'xy');
});

test('localPathsIn finds home, temporary and given directories, and nothing in ordinary prose', () => {
  const clean =
    'Reproduced with `npm run repro:planted`; data in [planted/results.jsonl](planted/results.jsonl), src/report.';
  assert.deepEqual(localPathsIn(clean), []);
  for (const text of [
    'see /root/.ticketlab/runs',
    'in /home/alice/x',
    'at /tmp/run/results',
    'C:\\Users\\bob\\runs',
    '/Users/carol/x',
  ])
    assert.notDeepEqual(localPathsIn(text), [], text);
  assert.deepEqual(localPathsIn(`results in ${os.homedir()}/x`).length > 0, true);
  assert.deepEqual(localPathsIn('stored under /srv/runs/abc', ['/srv/runs']), ['/srv/runs']);
});

test('writePage refuses a page with a machine-local path and writes a clean one atomically', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-page-'));
  try {
    const file = path.join(dir, 'sub', 'page.md');
    assert.throws(() => writePage(file, `results: ${dir}/results.jsonl\n`), /machine-local paths/);
    assert.equal(fs.existsSync(file), false);
    assert.throws(() => writePage(file, 'root /data/runs\n', ['/data/runs']), /machine-local paths \(\/data\/runs\)/);
    writePage(file, '# ok\n');
    assert.equal(fs.readFileSync(file, 'utf8'), '# ok\n');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['page.md']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a session records the machine, wall time and load, and round-trips through its file', async () => {
  const session = startSession(2, 1);
  await new Promise((r) => setTimeout(r, 20));
  session.sample();
  const rec = session.finish(7);
  assert.equal(rec.configurations, 7);
  assert.equal(rec.processes, 2);
  assert.ok(rec.wall_seconds >= 0.015 && rec.wall_seconds < 5, `wall ${rec.wall_seconds}`);
  assert.equal(rec.machine.cores, os.cpus().length);
  assert.ok(['openblas', 'fallback'].includes(rec.machine.gemm));
  assert.ok(rec.load.samples >= 3 && rec.load.max >= rec.load.mean - 1e-9, JSON.stringify(rec.load)); // the mean of equal values may round above them
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-sessions-'));
  try {
    const file = path.join(dir, 'sessions.jsonl');
    assert.deepEqual(readSessions(file), []);
    appendSession(file, rec);
    fs.appendFileSync(file, '{"cut short');
    assert.deepEqual(readSessions(file), [rec]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const table = sessionsTable([rec]);
  assert.match(table, new RegExp(`\\| +${rec.machine.cores} \\|`));
  assert.match(table, / 7 \| +2 \|/);
  assert.equal(sessionsTable([]), 'No session was recorded with these results.\n');
  assert.deepEqual([formatDuration(42), formatDuration(210), formatDuration(6480)], ['42 s', '3.5 min', '1.8 h']);
});

// Two replicates of a trunk (levels 0-2) and a random-reinit branch (levels 1-2), made-up values.
function level(replicate: number, branch: string, lvl: number, acc: number, es: number): LotteryLevel {
  const curve = [0, 100, 200].map((step) => ({ step, test_accuracy: acc * (0.5 + step / 400) }));
  const density = 0.8 ** lvl;
  return {
    replicate,
    branch,
    level: lvl,
    density,
    test_accuracy: acc,
    best_test_accuracy: acc + 0.001,
    early_stop_step: es,
    early_stop_test_accuracy: acc - 0.001,
    curve,
  };
}
const levels = [1, 2].flatMap((r) => [
  level(r, TRUNK, 0, 0.97, 300),
  level(r, TRUNK, 1, 0.975, 200),
  level(r, 'random_reinit', 1, 0.96, 300),
  level(r, TRUNK, 2, 0.98, 200),
  level(r, 'random_reinit', 2, 0.95, 300),
]);
const results = { name: 'lottery_abc', hparams: { non_default: { 'model.model': 'mnist_lenet_300_100' } }, levels };

test('lottery rows: the dense level starts every control series; the table is the ticket table', () => {
  const rows = lotteryRows([results]);
  assert.equal(rows.length, levels.length + 2); // level 0 of each replicate also opens the reinit series
  assert.deepEqual([...new Set(rows.map((r) => r.series))], ['winning ticket', 'random reinit']);
  const dense = rows.filter((r) => r.density === 1);
  assert.deepEqual(dense.map((r) => r.series).sort(), [
    'random reinit',
    'random reinit',
    'winning ticket',
    'winning ticket',
  ]);
  const md = lotteryMarkdown([results], 'final');
  assert.ok(md.includes(ticketTable(rows, 'finalAccuracy')));
  assert.match(md, /## lottery_abc \(2 replicates\)/);
  assert.match(md, /test accuracy at the end of training/);
  const two = lotteryRows([results, { ...results, name: 'lottery_def' }]);
  assert.ok(two.some((r) => r.series === 'lottery_def: random reinit'));
});

test('lottery figures: curves of the first replicate only, or of the levels given', () => {
  assert.deepEqual(
    curveLevels(levels).map((l) => [l.replicate, l.level]),
    [
      [1, 0],
      [1, 1],
      [1, 2],
    ],
  );
  const figures = lotteryFigures([results], { title: 'T' });
  assert.deepEqual(
    figures.map((f) => f.name),
    ['accuracy', 'early_stop', 'curves'],
  );
  type Spec = { title: string; data: { values: { Pm: string }[] } };
  const curves = figures[2]!.spec as unknown as Spec;
  assert.equal(curves.title, 'T: winning tickets, replicate 1');
  assert.deepEqual([...new Set(curves.data.values.map((v) => v.Pm))], ['100.0', '80.0', '64.0']);
  const onlyOne = lotteryFigures([results], { title: 'T', curves: [levels[3]!] });
  assert.deepEqual([...new Set((onlyOne[2]!.spec as unknown as Spec).data.values.map((v) => v.Pm))], ['64.0']);
  const none = lotteryFigures([results], { title: 'T', curves: [] });
  assert.deepEqual(
    none.map((f) => f.name),
    ['accuracy', 'early_stop'],
  );
});
