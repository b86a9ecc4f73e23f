// The one training loop: checkpoints and bit-identical resumption in-process (stop request mid-run, then resume),
// callbacks, and `ticketlab train` as a stored, resumable run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createModel } from '../src/models/registry.js';
import { initializeModel } from '../src/nn/reset.js';
import { loadMnist } from '../src/data/mnist.js';
import { trainDefaults } from '../src/hparams/defaults.js';
import { trainRun } from '../src/training/run.js';
import { onEveryStep } from '../src/training/callbacks.js';
import { InterruptedError } from '../src/util/errors.js';
import { runCli } from './helpers/cli.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tl-training-'));
const mnist = loadMnist();
const small = {
  train: mnist.train.subset(Int32Array.from({ length: 3000 }, (_, i) => i)),
  validation: null,
  test: mnist.test.subset(Int32Array.from({ length: 500 }, (_, i) => i)),
};

async function run(dir: string, stopAt?: number) {
  const h = trainDefaults('mnist_lenet_40_20');
  h.training.steps = '240it';
  h.training.evalEvery = '60it';
  const model = createModel('mnist_lenet_40_20');
  initializeModel(model, 5, h.model.init);
  const controller = new AbortController();
  const outcome = await trainRun({
    model,
    masks: null,
    start: model.stateDict(),
    startStep: 0,
    hparams: h,
    seed: 5,
    data: small,
    dir,
    checkpointEvery: 50,
    kernels: 'dense',
    callbacks: [onEveryStep((s) => (s.step === stopAt ? controller.abort() : undefined))],
    meta: {},
    signal: controller.signal,
  });
  return { outcome, weights: model.stateDict() };
}

test('a stop request saves a checkpoint; resuming ends bit-identical to an uninterrupted run', async () => {
  const a = tmp();
  const b = tmp();
  try {
    const clean = await run(a);
    assert.deepEqual(
      clean.outcome.curve.map((p) => p.step),
      [0, 60, 120, 180, 240],
    );
    await assert.rejects(
      run(b, 97),
      (e: unknown) => e instanceof InterruptedError && /stopped at step 97 of 240/.test(e.message),
    );
    assert.ok(fs.existsSync(path.join(b, 'checkpoint.safetensors')));
    const resumed = await run(b);
    assert.deepEqual(resumed.outcome.curve, clean.outcome.curve);
    for (const [n, w] of clean.weights) assert.deepEqual(resumed.weights.get(n), w, n);
  } finally {
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  }
});

test('a damaged checkpoint is set aside with a warning and the run trains from its start', async () => {
  const dir = tmp();
  try {
    const clean = await run(tmp());
    fs.writeFileSync(path.join(dir, 'checkpoint.safetensors'), Buffer.alloc(100, 7));
    const again = await run(dir);
    assert.ok(fs.existsSync(path.join(dir, 'checkpoint.safetensors.damaged')));
    assert.deepEqual(again.outcome.curve, clean.outcome.curve);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('train: milestones as step strings, a stored run found again, SIGINT stops and resumes', () => {
  const root = tmp();
  try {
    const args = [
      '--json',
      'train',
      '--model',
      'mnist_lenet_40_20',
      '--milestones',
      '500it',
      '--steps',
      '1000it',
      '--eval-every',
      '500',
      '--root',
      root,
    ];
    const first = runCli(args);
    assert.equal(first.status, 0, first.stderr);
    const r = first.json<{ steps: number; reused: boolean; run: string; test_accuracy: number }>();
    assert.equal(r.steps, 1000);
    assert.equal(r.reused, false);
    const hp = JSON.parse(fs.readFileSync(path.join(root, r.run, 'hparams.json'), 'utf8')) as {
      non_default: Record<string, unknown>;
    };
    assert.deepEqual(hp.non_default, {
      'model.model': 'mnist_lenet_40_20',
      'model.biasInit': 'zeros', // LeNet's default since --bias-init: runs stored before (uniform) keep their names
      'training.steps': '1000it',
      'training.milestones': ['500it'],
      'training.evalEvery': '500it',
    });
    // `1000` and `1000it` name the same run.
    const again = runCli([...args.slice(0, -4), '--steps', '1000', '--eval-every', '500it', '--root', root]).json<
      typeof r
    >();
    assert.equal(again.reused, true);
    assert.equal(again.test_accuracy, r.test_accuracy);
    // Another seed in the same replicate is refused, never silently reused.
    const seed = runCli([...args, '--seed', '9']);
    assert.notEqual(seed.status, 0);
    assert.match(seed.stderr, /was run with seed 1, not 9/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('train, lottery and seek print the same help for every shared hyperparameter', () => {
  const help = (cmd: string) => {
    const out = runCli([cmd, '--help']).stdout.replace(/\n {5,}/g, ' '); // join wrapped help lines
    return new Map(
      out
        .split('\n')
        .map((l) => /^\s+(--[a-z-]+)(?: <[a-z]+>)?\s+(.*)$/.exec(l))
        .filter((m) => m !== null)
        .map((m) => [m[1]!, m[2]!.trim()]),
    );
  };
  const [train, lottery, seek] = ['train', 'lottery', 'seek'].map(help) as [
    Map<string, string>,
    Map<string, string>,
    Map<string, string>,
  ];
  let shared = 0;
  for (const [flag, text] of train) {
    for (const other of [lottery, seek]) {
      if (!other.has(flag) || ['--seed', '--root', '--model'].includes(flag)) continue;
      assert.equal(other.get(flag), text, flag);
      shared++;
    }
  }
  assert.ok(shared >= 20, `only ${shared} shared flags compared`);
  for (const flag of [
    '--lr',
    '--steps',
    '--optimizer',
    '--batch-size',
    '--milestones',
    '--warmup',
    '--cosine',
    '--eval-every',
  ])
    assert.ok(seek.has(flag) && lottery.has(flag), flag);
});

test('a step reuses its large buffers: results are unchanged and a buffer kept past its step is detached', async () => {
  const { recycling, uninitializedF32 } = await import('../src/engine/buffers.js');
  const { Tensor, accumulateGrad } = await import('../src/engine/tensor.js');
  const { ImageDataset } = await import('../src/data/dataset.js');
  const { BatchSampler } = await import('../src/data/sampler.js');
  const { Adam } = await import('../src/nn/optim/adam.js');
  const { trainStep } = await import('../src/training/step.js');
  const { crossEntropy } = await import('../src/training/loss.js');
  const { backward } = await import('../src/engine/autograd.js');
  const { Rng } = await import('../src/engine/rng.js');

  // Views of a step's megabyte buffers read as empty after it; small ones and a leaf's adopted gradient stay.
  let kept: Float32Array | null = null;
  let small: Float32Array | null = null;
  const leaf = new Tensor(new Float32Array(1 << 19), [1 << 19], true);
  recycling(() => {
    kept = uninitializedF32(1 << 19).fill(1);
    small = uninitializedF32(100).fill(2);
    accumulateGrad(leaf, uninitializedF32(1 << 19).fill(3));
  });
  assert.equal(kept!.length, 0);
  assert.throws(() => kept!.set([1]), /detached/);
  assert.equal(small![0], 2);
  assert.equal(leaf.grad!.length, 1 << 19);
  assert.equal(leaf.grad![12345], 3);

  // Conv-2 at batch 8 makes 2 MB activations: three steps in trainStep (recycling) train exactly as three steps
  // without it.
  const rng = new Rng(9, 'recycle-data');
  const n = 64;
  const data = new ImageDataset({
    images: Uint8Array.from({ length: n * 3 * 32 * 32 }, () => rng.int(256)),
    labels: Int32Array.from({ length: n }, () => rng.int(10)),
    shape: [3, 32, 32],
    numClasses: 10,
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
    name: 'recycle-test',
  });
  const models = [0, 1].map(() => {
    const m = createModel('cifar_conv_2');
    initializeModel(m, 0, m.defaultInit);
    return m;
  });
  const viaStep = {
    model: models[0]!,
    optimizer: new Adam(models[0]!.parameters(), { lr: 1e-3 }),
    data,
    sampler: new BatchSampler(n, 8, 0),
    loss: crossEntropy,
  };
  for (let s = 0; s < 3; s++) trainStep(viaStep, s);
  const plain = new Adam(models[1]!.parameters(), { lr: 1e-3 });
  const sampler = new BatchSampler(n, 8, 0);
  for (let s = 0; s < 3; s++) {
    const ids = sampler.next();
    const { x, y } = data.batch(ids);
    plain.zeroGrad();
    backward(crossEntropy(models[1]!.forward(new Tensor(x, [ids.length, 3, 32, 32])), y));
    plain.step();
  }
  const [a, b] = models.map((m) => m.parameters());
  for (let i = 0; i < a!.length; i++) assert.deepEqual(a![i]!.data, b![i]!.data, `parameter ${i}`);
});
