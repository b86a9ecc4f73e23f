// Sweeps on one machine: a spec is checked before anything runs (each mistake names its line), its grid runs to
// completion with two workers, a failed job leaves the others done and the exit non-zero, and a rerun of a finished
// sweep does no work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseSweepSpec, type CommandFlags } from '../src/sweeps/spec.js';
import { UserError } from '../src/util/errors.js';
import { runCli } from './helpers/cli.js';

const commands: CommandFlags = new Map([
  ['train', new Set(['model', 'steps', 'lr', 'replicate', 'seed', 'root', 'batch-size'])],
  ['grok', new Set(['model', 'epochs', 'seed'])],
]);

test('sweep spec: the product of the axes times the replicates, each job an ordinary command line', () => {
  const spec = parseSweepSpec(
    'command: train\nflags:\n  model: mnist_lenet_40_20\n  steps: 200it\naxes:\n  lr: [0.001, 0.003]\n  batch-size: [32, 64, 128]\nreplicates: 2\n',
    'spec.yaml',
    commands,
  );
  assert.equal(spec.jobs.length, 2 * 3 * 2);
  assert.deepEqual(spec.jobs[0]!.args, [
    ...['train', '--model', 'mnist_lenet_40_20', '--steps', '200it', '--lr', '0.001', '--batch-size', '32'],
    ...['--replicate', '1'],
  ]);
  assert.deepEqual(spec.jobs[11]!.point, { lr: 0.003, 'batch-size': 128, replicate: 2 });
  assert.equal(new Set(spec.jobs.map((j) => j.key)).size, 12, 'every job has its own key');
  const seeds = parseSweepSpec('command: grok\nreplicates: 3\n', 's.yaml', commands);
  assert.deepEqual(
    seeds.jobs.map((j) => j.args),
    [0, 1, 2].map((s) => ['grok', '--seed', String(s)]),
  );
});

test('sweep spec: every mistake is one line naming the line of the spec', () => {
  for (const [text, message] of [
    ['command: trian\n', /^s\.yaml:1: unknown command 'trian'/],
    ['command: train\nflags:\n  model: x\n  lrr: 3\n', /^s\.yaml:4: train has no flag --lrr/],
    ['command: train\nflags:\n  batch_size: 3\n', /^s\.yaml:3: .*did you mean --batch-size\?/],
    ['command: train\naxes:\n  lr: 0.1\n', /^s\.yaml:3: axis lr must be a non-empty list/],
    ['command: train\naxes:\n  lr: []\n', /^s\.yaml:3: axis lr must be a non-empty list/],
    ['command: train\nflags: {lr: 1}\naxes:\n  lr: [1, 2]\n', /^s\.yaml:4: --lr is both a fixed flag and an axis/],
    ['command: train\nflags:\n  root: /tmp\n', /^s\.yaml:3: --root is set by the sweep itself/],
    ['command: train\nreplicates: 0\n', /^s\.yaml:2: 'replicates' must be an integer/],
    ['command: train\nflags: {replicate: 2}\nreplicates: 2\n', /^s\.yaml:3: 'replicates' sets --replicate/],
    ['command: train\nextra: 1\n', /^s\.yaml:2: unknown key 'extra'/],
    ['command: train\naxes: {lr: [1,\n', /^s\.yaml:\d+: the spec is not valid YAML/],
    ['- a list\n', /^s\.yaml:1: the spec must be a mapping/],
  ] as const)
    assert.throws(
      () => parseSweepSpec(text, 's.yaml', commands),
      (e: Error) => e instanceof UserError && message.test(e.message),
      text,
    );
});

test('ticketlab sweep: a grid runs with two workers, a failed job stops nothing, a rerun does no work', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-sweep-'));
  try {
    const spec = path.join(dir, 'spec.yaml');
    fs.writeFileSync(
      spec,
      'command: train\nflags:\n  model: mnist_lenet_40_20\naxes:\n  steps: [100it, 150it, 1.5it]\n  lr: [0.001, 0.003]\n',
    );
    const root = path.join(dir, 'root');
    const r = runCli(['--json', 'sweep', spec, '--root', root, '--jobs', '2']);
    assert.notEqual(r.status, 0, 'two jobs have a bad --steps');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /2 of 6 jobs failed \(first: .*steps/);
    type Summary = {
      total: number;
      done: number;
      failed: number;
      jobs: { point: Record<string, unknown>; status: string; result: { test_accuracy?: number } | null }[];
    };
    const s = r.json<Summary>();
    assert.deepEqual([s.total, s.done, s.failed], [6, 4, 2]);
    for (const j of s.jobs)
      if (j.point.steps !== '1.5it')
        assert.ok(j.status === 'done' && j.result!.test_accuracy! > 0.1, JSON.stringify(j));
    // Six runs? Four: the stored train runs are the finished jobs.
    assert.equal(fs.readdirSync(root).filter((d) => d.startsWith('train_')).length, 4);
    // Rerun: the finished jobs are skipped; only the failed ones run (and fail) again.
    const again = runCli(['--json', 'sweep', spec, '--root', root, '--jobs', '2']);
    const s2 = again.json<Summary>();
    assert.deepEqual([s2.done, s2.failed], [4, 2]);
    const lines = fs
      .readFileSync(path.join(root, 'sweeps', 'jobs.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(lines.length, 6 + 2, 'the second run recorded only the two retried jobs');
    // Another sweep over the same root skips every job any sweep finished: this grid does no work at all.
    fs.writeFileSync(
      spec,
      'command: train\nflags:\n  model: mnist_lenet_40_20\naxes:\n  steps: [100it, 150it]\n  lr: [0.001, 0.003]\n',
    );
    const done = runCli(['sweep', spec, '--root', root]);
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /4 jobs of train, 4 already done, 0 to run/);
    // The report groups the sweep's runs by its axes.
    const report = runCli(['--json', 'report', '--sweep', spec, '--root', root]);
    assert.equal(report.status, 0, report.stderr);
    const groups = report.json<{
      axes: string[];
      groups: { point: object; done: number; metrics: { test_accuracy: { n: number } } }[];
    }>();
    assert.deepEqual(groups.axes, ['steps', 'lr']);
    assert.deepEqual(
      groups.groups.map((g) => [g.point, g.done, g.metrics.test_accuracy.n]),
      [
        [{ steps: '100it', lr: 0.001 }, 1, 1],
        [{ steps: '100it', lr: 0.003 }, 1, 1],
        [{ steps: '150it', lr: 0.001 }, 1, 1],
        [{ steps: '150it', lr: 0.003 }, 1, 1],
      ],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
