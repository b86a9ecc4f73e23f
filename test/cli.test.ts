// The CLI end to end: info, a short real MNIST training run, determinism, and every kind of bad input giving one
// readable line and a non-zero exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, runCli } from './helpers/cli.js';
import { NODE_FLAGS } from '../src/util/node-flags.js';
import { defaultMnistDir } from '../src/data/mnist.js';

function assertOneLineError(r: ReturnType<typeof runCli>, pattern: RegExp): void {
  assert.notEqual(r.status, 0, `expected failure, got status ${r.status}: ${r.stdout}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^ticketlab: error: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --debug');
}

test('info --json reports versions, backend and threads', () => {
  const r = runCli(['--json', 'info']);
  assert.equal(r.status, 0, r.stderr);
  const info = r.json<{ gemm: string; threads: number; node: string }>();
  assert.ok(['openblas', 'fallback'].includes(info.gemm));
  assert.equal(info.threads, 1);
  assert.equal(info.node, process.versions.node);
  const two = runCli(['--json', '--threads', '2', 'info']).json<{ threads: number }>();
  assert.equal(two.threads, 2);
  const fb = runCli(['--json', '--gemm', 'fallback', 'info']).json<{ gemm: string }>();
  assert.equal(fb.gemm, 'fallback');
});

test('train LeNet-300-100 for 300 steps: learns, reports JSON, and is deterministic', () => {
  const args = ['--json', 'train', '--model', 'mnist_lenet_300_100', '--steps', '300', '--seed', '3'];
  const a = runCli(args);
  assert.equal(a.status, 0, a.stderr);
  const ra = a.json<{
    test_accuracy: number;
    steps: number;
    seconds: number;
    examples_per_second: number;
    test_loss: number;
  }>();
  assert.equal(ra.steps, 300);
  assert.ok(ra.test_accuracy > 0.9, `accuracy ${ra.test_accuracy}`);
  assert.ok(ra.seconds > 0 && ra.examples_per_second > 0);
  const b = runCli([...args, '--root', fs.mkdtempSync(path.join(os.tmpdir(), 'tl-train-'))]).json<
    typeof ra & { reused: boolean }
  >();
  assert.equal(b.reused, false);
  assert.equal(b.test_accuracy, ra.test_accuracy);
  assert.equal(b.test_loss, ra.test_loss);
  const other = runCli(['--json', 'train', '--steps', '300', '--seed', '4', '--replicate', '2']).json<typeof ra>();
  assert.notEqual(other.test_loss, ra.test_loss);
});

test('the fallback GEMM trains to the same result within float tolerance', () => {
  const args = ['train', '--steps', '50', '--seed', '1'];
  const root = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tl-train-'));
  const blas = runCli(['--json', ...args, '--root', root()]).json<{ test_loss: number }>();
  const fb = runCli(['--json', '--gemm', 'fallback', ...args, '--root', root()]).json<{
    test_loss: number;
    gemm: string;
  }>();
  assert.equal(fb.gemm, 'fallback');
  assert.ok(Math.abs(fb.test_loss - blas.test_loss) < 1e-3 * blas.test_loss, `${fb.test_loss} vs ${blas.test_loss}`);
});

test('step strings and optimizer flags', () => {
  const r = runCli([
    '--json',
    'train',
    '--steps',
    '0ep40it',
    '--optimizer',
    'sgd',
    '--lr',
    '0.05',
    '--momentum',
    '0.9',
    '--nesterov',
    '--weight-decay',
    '1e-4',
    '--warmup',
    '10',
    '--milestones',
    '20,30',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const j = r.json<{ steps: number; optimizer: string }>();
  assert.equal(j.steps, 40);
  assert.equal(j.optimizer, 'sgd');
  const ep = runCli(['--json', 'train', '--steps', '1ep', '--batch-size', '6000']).json<{ steps: number }>();
  assert.equal(ep.steps, 10);
});

test('bad flags and names: one readable line, non-zero exit', () => {
  assertOneLineError(
    runCli(['train', '--model', 'mnist_resnet_9']),
    /unknown model 'mnist_resnet_9'; known models: mnist_lenet_300_100/,
  );
  assertOneLineError(
    runCli(['train', '--model', 'mnist_lenet_300_x']),
    /layer width must be a positive integer, got 'x'/,
  );
  assertOneLineError(runCli(['train', '--model', 'mnist_lenet']), /at least one layer width/);
  assertOneLineError(runCli(['train', '--lr', '-1']), /--lr must be a positive number up to 1000000, got '-1'/);
  assertOneLineError(runCli(['train', '--lr', 'fast']), /--lr must be a positive number/);
  assertOneLineError(runCli(['train', '--batch-size', '0']), /--batch-size must be a positive integer/);
  assertOneLineError(runCli(['train', '--batch-size', '70000']), /larger than the training set/);
  assertOneLineError(runCli(['train', '--steps', '12xyz']), /--steps must be a step count like 500it/);
  assertOneLineError(runCli(['train', '--optimizer', 'rmsprop']), /--optimizer must be one of sgd, adam, adamw/);
  assertOneLineError(runCli(['train', '--momentum', '1.5']), /--momentum must be a number in \[0, 1\)/);
  assertOneLineError(runCli(['train', '--seed', '-3']), /--seed must be a non-negative integer/);
  assertOneLineError(runCli(['train', '--augment', '--steps', '5']), /CIFAR-10 models only/);
  assertOneLineError(runCli(['--threads', '0', 'info']), /--threads must be a positive integer/);
  assertOneLineError(runCli(['train', '--bias-init', 'sometimes']), /--bias-init must be one of zeros, uniform/);
  // The command is found after a global option's value (only that command's module is loaded).
  assertOneLineError(runCli(['--threads', '2', 'lottery', '--model', 'nope']), /unknown model 'nope'/);
  const unknown = runCli(['frobnicate']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
});

test('missing, truncated and corrupt MNIST files: one readable line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-mnist-'));
  try {
    assertOneLineError(runCli(['train', '--data-dir', path.join(dir, 'nope'), '--steps', '1']), /not found/);
    for (const f of fs.readdirSync(defaultMnistDir()))
      fs.copyFileSync(path.join(defaultMnistDir(), f), path.join(dir, f));
    const img = path.join(dir, 'train-images-idx3-ubyte');
    const full = fs.readFileSync(img);
    fs.writeFileSync(img, full.subarray(0, full.length - 1000));
    assertOneLineError(
      runCli(['train', '--data-dir', dir, '--steps', '1']),
      /train-images-idx3-ubyte.*(truncated|bytes)/,
    );
    const bad = Buffer.from(full);
    bad.writeUInt32BE(0x00000801, 0);
    fs.writeFileSync(img, bad);
    assertOneLineError(runCli(['train', '--data-dir', dir, '--steps', '1']), /magic/);
    fs.rmSync(path.join(dir, 't10k-labels-idx1-ubyte'));
    fs.writeFileSync(img, full);
    assertOneLineError(runCli(['train', '--data-dir', dir, '--steps', '1']), /t10k-labels-idx1-ubyte/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a loss that becomes NaN stops training with a clear error; --debug adds the stack', () => {
  assertOneLineError(
    runCli(['train', '--optimizer', 'sgd', '--lr', '1e6', '--steps', '100']),
    /loss became NaN at step \d+: training diverged/,
  );
  const dbg = runCli(['--debug', 'train', '--optimizer', 'sgd', '--lr', '1e6', '--steps', '100']);
  assert.notEqual(dbg.status, 0);
  assert.match(dbg.stderr, /DivergenceError/);
  assert.match(dbg.stderr, /\n\s+at /);
});

test('the CLI, the study grids and the npm scripts that train run Node with the same flags', () => {
  const flags = NODE_FLAGS.join(' ');
  const shebang = fs.readFileSync(path.join(repoRoot, 'bin', 'ticketlab.js'), 'utf8').split('\n')[0]!;
  assert.equal(shebang, `#!/usr/bin/env -S node ${flags}`);
  const scripts = (
    JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  for (const name of ['bench', 'repro:lenet', 'repro:planted', 'repro:grokking'])
    assert.match(scripts[name]!, new RegExp(`&& node ${flags} dist/`), name);
  // The installed command runs through the shebang.
  const r = spawnSync(path.join(repoRoot, 'bin', 'ticketlab.js'), ['--json', 'info'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('bench/masked-step rejects bad flags with one line and exit 1, before loading anything', () => {
  const script = path.join(repoRoot, 'dist', 'bench', 'masked-step.js');
  for (const [args, message] of [
    [['--density', 'abc'], /--density must be a number, got 'abc'/],
    [['--density', '1'], /--density must be in \(0, 1\), got 1$/],
    [['--steps', '0'], /--steps must be a positive integer, got '0'/],
  ] as const) {
    const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, message);
    assert.equal(r.stdout, '');
  }
});
