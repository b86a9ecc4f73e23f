// The lottery command end to end on a tiny LeNet: level densities, stored files, reuse of finished levels,
// bit-identical resumption after kill -9, branches, concurrent processes, and bad input; in process, the bias init
// of θ0 and of the reinit control, and how a changed default names experiments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, repoRoot } from './helpers/cli.js';
import { loadSafetensors } from '../src/store/safetensors.js';
import { lotteryDefaults } from '../src/hparams/defaults.js';
import { LotteryExperiment } from '../src/lottery/experiment.js';
import { freshWeights } from '../src/lottery/runner.js';
import { createModel } from '../src/models/registry.js';

const base = ['--json', 'lottery', '--model', 'mnist_lenet_40_20', '--eval-every', '50'];
type Row = {
  level: number;
  branch: string;
  density: number;
  layer_density: Record<string, number>;
  test_accuracy: number;
  early_stop_step: number;
  reused: boolean;
  experiment: string;
  dir: string;
};
const rows = (out: string): Row[] =>
  out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tl-lottery-'));

function resultOf(dir: string): unknown {
  const r = JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8')) as Record<string, unknown>;
  delete r.seconds;
  delete r.dir;
  delete r.reused;
  return r;
}

test('IMP levels: densities, per-level JSON, stored tensors, reuse on rerun', () => {
  const root = tmp();
  try {
    const args = [...base, '--levels', '3', '--steps', '150it', '--root', root];
    const r = runCli(args);
    assert.equal(r.status, 0, r.stderr);
    const out = rows(r.stdout);
    assert.deepEqual(
      out.map((x) => x.level),
      [0, 1, 2, 3],
    );
    for (const x of out) {
      assert.ok(Math.abs(x.layer_density['fc1.weight']! - 0.8 ** x.level) < 1e-3);
      assert.ok(Math.abs(x.layer_density['fc3.weight']! - 0.9 ** x.level) < 2e-2);
      assert.ok(x.test_accuracy > 0.8, `level ${x.level} accuracy ${x.test_accuracy}`);
      assert.ok(x.early_stop_step > 0 && x.early_stop_step <= 150 && x.early_stop_step % 50 === 0);
      assert.equal(x.reused, false);
    }
    assert.ok(out[3]!.density < out[2]!.density && out[2]!.density < out[1]!.density);
    const rep = path.dirname(path.dirname(out[0]!.dir));
    const theta0 = loadSafetensors(path.join(rep, 'theta0.safetensors'));
    assert.deepEqual(theta0.tensors['fc1.weight']!.shape, [40, 784]);
    assert.equal(theta0.metadata.kind, 'theta0');
    const mask = loadSafetensors(path.join(out[2]!.dir, 'mask.safetensors'));
    assert.equal(mask.metadata.level, '2');
    assert.ok(Math.abs(Number(mask.metadata.density) - out[2]!.density) < 1e-12);
    // pruned weights are zero in the final weights of a level
    const final = loadSafetensors(path.join(out[2]!.dir, 'final.safetensors'));
    const w = final.tensors['fc1.weight']!.data as Float32Array;
    const m = mask.tensors['fc1.weight']!.data as Float32Array;
    for (let i = 0; i < m.length; i++) if (m[i] === 0) assert.equal(w[i], 0);
    // rerunning the same command reuses every level
    const again = rows(runCli(args).stdout);
    assert.ok(again.every((x) => x.reused));
    assert.deepEqual(
      again.map((x) => x.test_accuracy),
      out.map((x) => x.test_accuracy),
    );
    // an experiment stored before fields were added (here the text-corpus and Adam-beta fields) is found and
    // reused: the missing fields take their defaults; an unknown field is still refused
    const hfile = path.join(path.dirname(rep), 'hparams.json');
    const stored = JSON.parse(fs.readFileSync(hfile, 'utf8')) as {
      hparams: { dataset: Record<string, unknown>; training: Record<string, unknown> };
    };
    for (const k of ['name', 'tokenizer', 'seqLen']) delete stored.hparams.dataset[k];
    for (const k of ['beta1', 'beta2']) delete stored.hparams.training[k];
    fs.writeFileSync(hfile, JSON.stringify(stored));
    const older = rows(runCli(args).stdout);
    assert.ok(older.length === 4 && older.every((x) => x.reused));
    stored.hparams.training.futureField = 1;
    fs.writeFileSync(hfile, JSON.stringify(stored));
    const foreign = runCli(args);
    assert.notEqual(foreign.status, 0);
    assert.match(foreign.stderr, /hparams\.json has unexpected content: hparams\.training: unrecognized key/i);
    // the index lists the run
    const list = runCli(['--json', 'runs', '--root', root]);
    if (list.status === 0) assert.match(list.stdout, /lottery_/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a run killed with -9 mid-level resumes and ends exactly like an uninterrupted run', async () => {
  const a = tmp();
  const b = tmp();
  try {
    const args = [
      ...base,
      '--levels',
      '2',
      '--steps',
      '1500it',
      '--eval-every',
      '100',
      '--checkpoint-every',
      '100',
      '--rewind',
      '50it',
    ];
    const clean = runCli([...args, '--root', a]);
    assert.equal(clean.status, 0, clean.stderr);
    const cleanRows = rows(clean.stdout);
    // start, wait for a checkpoint inside level 1, kill -9
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'ticketlab.js'), ...args, '--root', b], {
      stdio: 'ignore',
    });
    const exp = path.join(b, cleanRows[0]!.experiment, 'replicate_1', 'level_1', 'main', 'checkpoint.safetensors');
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(exp) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(fs.existsSync(exp), 'no checkpoint appeared');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const resumed = runCli([...args, '--root', b]);
    assert.equal(resumed.status, 0, resumed.stderr);
    const resumedRows = rows(resumed.stdout);
    assert.equal(resumedRows[0]!.reused, true);
    assert.equal(resumedRows[1]!.reused, false);
    for (const [i, r] of cleanRows.entries())
      assert.deepEqual(resultOf(resumedRows[i]!.dir), resultOf(r.dir), `level ${r.level}`);
    const fa = loadSafetensors(path.join(cleanRows[2]!.dir, 'final.safetensors')).tensors['fc2.weight']!.data;
    const fb = loadSafetensors(path.join(resumedRows[2]!.dir, 'final.safetensors')).tensors['fc2.weight']!.data;
    assert.deepEqual(fb, fa, 'final weights bit-identical');
    assert.ok(!fs.existsSync(exp), 'checkpoint removed after the level finished');
  } finally {
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  }
});

test('branches: random reinit and random pruning at the trunk densities', () => {
  const root = tmp();
  try {
    const r = runCli([
      ...base,
      '--levels',
      '2',
      '--steps',
      '100it',
      '--root',
      root,
      '--branch',
      'random_reinit,random_prune,random_prune_global',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = rows(r.stdout);
    assert.deepEqual(
      out.map((x) => `${x.level}:${x.branch}`),
      [
        '0:main',
        '1:main',
        '1:random_reinit',
        '1:random_prune',
        '1:random_prune_global',
        '2:main',
        '2:random_reinit',
        '2:random_prune',
        '2:random_prune_global',
      ],
    );
    const at = (l: number, b: string) => out.find((x) => x.level === l && x.branch === b)!;
    for (const b of ['random_reinit', 'random_prune', 'random_prune_global'])
      assert.ok(Math.abs(at(2, b).density - at(2, 'main').density) < 1e-9);
    assert.deepEqual(at(2, 'random_prune').layer_density, at(2, 'main').layer_density);
    const mMain = loadSafetensors(path.join(at(2, 'main').dir, 'mask.safetensors')).tensors['fc1.weight']!.data;
    const mRand = loadSafetensors(path.join(at(2, 'random_prune').dir, 'mask.safetensors')).tensors['fc1.weight']!.data;
    assert.notDeepEqual(mRand, mMain);
    const mReinit = loadSafetensors(path.join(at(2, 'random_reinit').dir, 'mask.safetensors')).tensors['fc1.weight']!
      .data;
    assert.deepEqual(mReinit, mMain);
    const retrain = runCli([
      ...base,
      '--levels',
      '1',
      '--steps',
      '100it',
      '--root',
      root,
      '--branch',
      'retrain',
      '--retrain-lr',
      '0.01',
    ]);
    assert.equal(retrain.status, 0, retrain.stderr);
    const rr = rows(retrain.stdout);
    assert.ok(rr[0]!.reused && rr[1]!.reused, 'trunk levels reused');
    assert.match(rr[2]!.branch, /^retrain_[0-9a-f]{16}$/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('two processes on the same run: the second is refused without touching the run', async () => {
  const root = tmp();
  try {
    // Long enough that the first is still training when the second starts, however loaded the machine (with
    // 3000 iterations a loaded machine let the first finish first, and the second then reused its stored result).
    const args = [...base, '--levels', '1', '--steps', '200000it', '--eval-every', '1000', '--root', root];
    const first = spawn(process.execPath, [path.join(repoRoot, 'bin', 'ticketlab.js'), ...args], { stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    const lockExists = () =>
      fs
        .readdirSync(root)
        .some((d) => d.startsWith('lottery_') && fs.existsSync(path.join(root, d, 'replicate_1', '.lock')));
    while (!lockExists() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const second = runCli(args);
    assert.notEqual(second.status, 0);
    assert.match(second.stderr, /is in use by another ticketlab process \(pid \d+\)/);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('bad input: one readable line, nothing stored is damaged', () => {
  const root = tmp();
  try {
    const bad = (args: string[], pattern: RegExp) => {
      const r = runCli(args);
      assert.notEqual(r.status, 0);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, pattern);
    };
    bad([...base, '--levels', '-1', '--root', root], /--levels must be a non-negative integer/);
    bad([...base, '--prune-rate', '1.5', '--root', root], /--prune-rate must be a number in \[0, 1\)/);
    bad(
      [...base, '--rewind', 'soon', '--root', root],
      /--rewind must be a step count like 500it, 2ep or 2ep100it, got 'soon'/,
    );
    bad([...base, '--rewind', '500it', '--steps', '100it', '--root', root], /must be earlier than the end of training/);
    bad([...base, '--branch', 'random_magic', '--root', root], /unknown branch 'random_magic'/);
    bad([...base, '--branch', 'retrain', '--root', root], /needs at least one --retrain-\* flag/);
    bad(
      [...base, '--prune-ignore', 'fc3.weight', '--root', root],
      /--prune-ignore applies to --pruning-strategy global/,
    );
    bad(
      [
        ...base,
        '--pruning-strategy',
        'global',
        '--prune-ignore',
        'fc9.weight',
        '--root',
        root,
        '--levels',
        '1',
        '--steps',
        '50it',
      ],
      /cannot ignore 'fc9.weight'/,
    );
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'x');
    bad([...base, '--root', path.join(file, 'sub')], /not writable/);
    // corrupt a stored mask: the rerun fails with a clear error and leaves the other files alone
    const ok = runCli([...base, '--levels', '2', '--steps', '60it', '--root', root]);
    assert.equal(ok.status, 0, ok.stderr);
    const out = rows(ok.stdout);
    const maskFile = path.join(out[2]!.dir, 'mask.safetensors');
    fs.rmSync(path.join(out[2]!.dir, 'result.json'));
    const full = fs.readFileSync(maskFile);
    fs.writeFileSync(maskFile, full.subarray(0, full.length - 7));
    const theta0 = path.join(path.dirname(path.dirname(out[0]!.dir)), 'theta0.safetensors');
    const before = fs.readFileSync(theta0);
    bad([...base, '--levels', '2', '--steps', '60it', '--root', root], /invalid safetensors file .*mask\.safetensors/);
    assert.deepEqual(fs.readFileSync(theta0), before);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('bias init: zero biases stay zero in the reinit control; uniform still draws them; old runs keep their name', () => {
  const h = lotteryDefaults('mnist_lenet_300_100');
  const model = createModel(h.model.model);
  const theta0 = freshWeights(model, 1, h.model);
  const reinit = freshWeights(model, 2, h.model);
  for (const name of ['fc1.bias', 'fc2.bias', 'fc3.bias']) {
    assert.ok(theta0.get(name)!.every((v) => v === 0) && reinit.get(name)!.every((v) => v === 0), name);
  }
  assert.notDeepEqual(reinit.get('fc1.weight'), theta0.get('fc1.weight'), 'the control redraws the weights');
  const uniform = { ...h.model, biasInit: 'uniform' as const };
  const b = freshWeights(model, 1, uniform).get('fc1.bias')!;
  const bound = 1 / Math.sqrt(784);
  assert.ok(b.some((v) => v !== 0) && b.every((v) => Math.abs(v) <= bound));
  assert.notDeepEqual(freshWeights(model, 2, uniform).get('fc1.bias'), b);

  // The committed LeNet data was stored (uniform biases, then the default) as lottery_cf344462c9edfe1f, with no
  // bias init in its hparams.json: asking for uniform finds it; the zero-bias default is another experiment.
  const root = tmp();
  try {
    const old = LotteryExperiment.create(root, { ...h, model: uniform }, 16);
    assert.equal(old.name, 'lottery_cf344462c9edfe1f');
    const file = path.join(old.dir, 'hparams.json');
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { hparams: { model: Record<string, unknown> } };
    delete stored.hparams.model.biasInit;
    fs.writeFileSync(file, JSON.stringify(stored));
    assert.equal(LotteryExperiment.find(root, h, 16), null);
    const found = LotteryExperiment.find(root, { ...h, model: uniform }, 16);
    assert.equal(found?.hparams.model.biasInit, 'uniform');
    assert.notEqual(LotteryExperiment.create(root, h, 16).name, old.name);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
