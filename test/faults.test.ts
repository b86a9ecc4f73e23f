// Faults a demanding user runs into: a run is what its flags say (seed, data), names never become paths outside
// the store, damaged files that still parse never become results, stored state is reported as it is, and a
// read-only store still answers. Each case gives the right result or one clear line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { repoRoot, runCli, type CliResult } from './helpers/cli.js';
import { defaultMnistDir } from '../src/data/mnist.js';
import { loadSafetensors, saveSafetensors, type Tensor as StTensor } from '../src/store/safetensors.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tl-faults-'));
const lottery = (root: string, ...more: string[]) =>
  runCli([
    '--json',
    'lottery',
    '--model',
    'mnist_lenet_40_20',
    '--levels',
    '1',
    '--steps',
    '60it',
    '--eval-every',
    '30',
    '--root',
    root,
    ...more,
  ]);

function oneLine(r: CliResult, pattern: RegExp): void {
  assert.notEqual(r.status, 0, `expected a failure, got: ${r.stdout.slice(-300)}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^ticketlab: error: /);
  assert.match(lines[0]!, pattern);
}

function finished(root: string): { exp: string; rep: string; level1: string } {
  const exp = fs.readdirSync(root).find((d) => d.startsWith('lottery_'))!;
  const rep = path.join(root, exp, 'replicate_1');
  return { exp, rep, level1: path.join(rep, 'level_1', 'main') };
}

test('a run is what its flags say: another seed or other data is never reused', () => {
  const root = tmp();
  try {
    assert.equal(lottery(root, '--seed', '7').status, 0);
    oneLine(lottery(root, '--seed', '1'), /was run with seed 7, not 1/);
    // The same files under another name are the same data; changed files are not.
    const data = path.join(root, 'mnist');
    fs.cpSync(defaultMnistDir(), data, { recursive: true });
    assert.equal(lottery(root, '--seed', '7', '--data-dir', data).json<{ reused: boolean }>().reused, true);
    const labels = path.join(data, 't10k-labels-idx1-ubyte');
    const bytes = fs.readFileSync(labels);
    bytes[20] = (bytes[20]! + 1) % 10;
    fs.writeFileSync(labels, bytes);
    oneLine(lottery(root, '--seed', '7', '--data-dir', data), /was run on other data/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('names from the command line never reach outside the store', () => {
  const root = tmp();
  try {
    assert.equal(lottery(root).status, 0);
    const { exp } = finished(root);
    const exportCli = (...more: string[]) => runCli(['export', exp, '--root', root, '--format', 'onnx', ...more]);
    oneLine(exportCli('--level', '0', '--branch', '../../../../outside'), /is not a branch name/);
    oneLine(exportCli('--level', '1', '--branch', '../level_1/main'), /is not a branch name/);
    oneLine(runCli(['report', '../../etc', '--root', root]), /no lottery experiment at/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('damaged files that still parse are refused, never trained on or exported', () => {
  const root = tmp();
  try {
    assert.equal(lottery(root).status, 0);
    const { exp, level1 } = finished(root);
    // NaN weights in a finished level: export refuses.
    const finalFile = path.join(level1, 'final.safetensors');
    const st = loadSafetensors(finalFile);
    (st.tensors['fc1.weight']!.data as Float32Array)[3] = NaN;
    saveSafetensors(finalFile, st.tensors as Record<string, StTensor>, st.metadata);
    oneLine(runCli(['export', exp, '--root', root, '--level', '1', '--format', 'onnx']), /holds NaN/);
    // A result.json that parses but is not a result.
    const resultFile = path.join(level1, 'result.json');
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(resultFile, JSON.stringify({ ...result, kernels: 'DDD' }));
    oneLine(runCli(['report', exp, '--root', root]), /result\.json.*kernels/);
    fs.writeFileSync(resultFile, JSON.stringify({ ...result, density: 0 }));
    oneLine(lottery(root), /result\.json.*density/);
    // An all-zero mask at a level that has not been trained yet.
    fs.rmSync(path.join(level1, 'result.json'));
    const maskFile = path.join(level1, 'mask.safetensors');
    const mask = loadSafetensors(maskFile);
    for (const t of Object.values(mask.tensors)) (t.data as Float32Array).fill(0);
    saveSafetensors(maskFile, mask.tensors as Record<string, StTensor>, mask.metadata);
    oneLine(lottery(root), /keep no weights/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the store reports what is there: deleted runs, interrupted runs, a read-only root', () => {
  const root = tmp();
  try {
    assert.equal(lottery(root).status, 0);
    const { exp, rep } = finished(root);
    assert.ok(
      !fs.readdirSync(path.join(rep, 'level_1', 'main')).some((f) => f.startsWith('checkpoint')),
      'finished levels keep no checkpoint',
    );
    // Rerunning a finished experiment writes nothing (so it works on a read-only root): not even a lock.
    const snapshot = () =>
      fs
        .readdirSync(root, { recursive: true })
        .map((f) => `${f}:${fs.statSync(path.join(root, String(f))).mtimeMs}`)
        .sort();
    const before = snapshot();
    const again = lottery(root);
    assert.equal(again.status, 0, again.stderr);
    assert.ok(
      again.stdout
        .trim()
        .split('\n')
        .every((l) => (JSON.parse(l) as { reused: boolean }).reused),
    );
    assert.deepEqual(snapshot(), before);
    fs.rmSync(path.join(root, exp), { recursive: true });
    const runs = runCli(['--json', 'runs', '--root', root]);
    assert.equal(runs.status, 0, runs.stderr);
    assert.ok(
      runs.stdout
        .trim()
        .split('\n')
        .every((l) => (JSON.parse(l) as { status: string }).status === 'deleted'),
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('values without a sane bound are refused before any work starts', () => {
  oneLine(runCli(['train', '--steps', '100000000000000000000000it']), /--steps must be a step count/);
  oneLine(
    runCli([
      'prune',
      '--model',
      'mnist_lenet_300_100',
      '--pruner',
      'synflow',
      '--density',
      '0.1',
      '--rounds',
      '100000',
    ]),
    /--rounds must be at most 10000/,
  );
  oneLine(runCli(['plant', '--task', 'relu', '--depth', '100000']), /--depth must be at most 100/);
  oneLine(runCli(['plant', '--task', 'relu', '--width', '100000000']), /--width must be at most 10000/);
  oneLine(runCli(['--threads', '100000', 'info']), /--threads must be at most 256/);
});

test('Ctrl-C stops every long command: those that checkpoint save, say where they stopped and exit 130; the rest exit at once', async () => {
  const root = tmp();
  try {
    const env = { ...process.env, TICKETLAB_ROOT: root };
    const planted = runCli(['--json', 'plant', '--task', 'circle', '--depth', '5', '--width', '24'], env).json<{
      run: string;
    }>().run;
    const bin = path.join(repoRoot, 'bin', 'ticketlab.js');
    const long: [string, string[]][] = [
      ['train', ['train', '--model', 'mnist_lenet_40_20', '--steps', '1000000it']],
      ['lottery', ['lottery', '--model', 'mnist_lenet_40_20', '--levels', '2', '--steps', '1000000it']],
      ['seek', ['seek', '--planted', planted, '--pruner', 'magnitude', '--density', '0.5', '--steps', '100000ep']],
      ['grok', ['grok', '--model', 'grok_mlp_23', '--epochs', '1000000', '--patience', '0']],
      [
        'prune',
        ['prune', '--model', 'mnist_lenet_300_100', '--pruner', 'synflow', '--density', '0.01', '--rounds', '10000'],
      ],
      ['plant', ['plant', '--task', 'relu', '--depth', '10', '--width', '1000']],
    ];
    const results = await Promise.all(
      long.map(async ([name, args]) => {
        // Each command gets its own root: once it has written there, its stop handler is installed.
        const own = path.join(root, name);
        fs.mkdirSync(own);
        const child = spawn(process.execPath, [bin, ...args], {
          env: { ...env, TICKETLAB_ROOT: own },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (c: string) => (err += c));
        const exit = new Promise<{ code: number | null; signal: string | null }>((res) =>
          child.on('exit', (code, signal) => res({ code, signal })),
        );
        const storing = ['train', 'lottery', 'grok'].includes(name);
        for (let t = 0; t < 150 && storing && fs.readdirSync(own).length === 0; t++)
          await new Promise((r) => setTimeout(r, 200));
        // Into the work. plant takes under a second on a fast machine, so it is stopped while it starts up (either
        // way it must end on the signal, not finish).
        const into = storing ? 1500 : name === 'plant' ? 100 : 5000;
        await new Promise((r) => setTimeout(r, into));
        const sent = Date.now();
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        const e = await exit;
        clearTimeout(timer);
        return { name, ...e, err, seconds: (Date.now() - sent) / 1000 };
      }),
    );
    for (const r of results) {
      assert.ok(r.signal !== 'SIGKILL', `${r.name} ignored SIGINT for 30 s`);
      if (['train', 'lottery', 'grok'].includes(r.name)) {
        assert.equal(r.code, 130, `${r.name}: ${r.err}`);
        assert.match(r.err, /ticketlab: SIGINT: stopping at the next safe point/);
        assert.match(r.err, /ticketlab: error: stopped at (step|epoch) \d+/, `${r.name}: ${r.err}`);
      } else {
        // seek stops at its next step when its handler is in place; prune and plant, with nothing to save, exit
        assert.ok(r.code === 130 || r.signal === 'SIGINT', `${r.name}: ${r.code} ${r.signal} ${r.err}`);
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
