// The sequence models of the registry: the grokking networks and the language models, their shapes as their
// references build them, masks on every matrix staying exactly zero through AdamW, and training that learns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Tensor } from '../src/engine/tensor.js';
import { backward } from '../src/engine/autograd.js';
import { Rng } from '../src/engine/rng.js';
import { createModel } from '../src/models/registry.js';
import { initializeModel } from '../src/nn/reset.js';
import { buildOptimizer } from '../src/nn/optim/build.js';
import { lotteryDefaults, trainDefaults } from '../src/hparams/defaults.js';
import { prepareRun } from '../src/training/run-data.js';
import { modularAddition } from '../src/data/modular.js';
import { runCli } from './helpers/cli.js';

const shapes = (name: string, ctx = {}) =>
  Object.fromEntries(
    createModel(name, ctx)
      .namedParameters()
      .map(([n, p]) => [n, p.shape]),
  );

test('grokking networks have the reference shapes, and every matrix is prunable', () => {
  assert.deepEqual(shapes('grok_mlp_67'), {
    'embed.weight': [67, 500],
    'inproj.weight': [48, 500],
    'outproj.weight': [500, 48],
    'unembed.weight': [67, 500],
  });
  const mlp = createModel('grok_mlp_67');
  assert.equal(mlp.countParameters().prunable, 115_000);
  const t = createModel('grok_transformer_67');
  assert.deepEqual(
    t.prunableParameters().map(([n]) => n),
    [
      'embed.weight',
      'attn.q_proj.weight',
      'attn.k_proj.weight',
      'attn.v_proj.weight',
      'attn.out_proj.weight',
      'mlp_in.weight',
      'mlp_out.weight',
      'unembed.weight',
    ],
  );
  const logits = t.forward(new Tensor(Float32Array.of(1, 2, 3, 4), [2, 2]));
  assert.deepEqual(logits.shape, [2, 67]);
  const d = trainDefaults('grok_mlp_67');
  assert.deepEqual(
    [d.dataset.batchSize, d.training.optimizer, d.training.beta2, d.training.weightDecay],
    [911, 'adamw', 0.98, 1],
  );
});

test('modular addition: unordered pairs, 40% train, labels (a + b) mod p', () => {
  const { train, test: held } = modularAddition(67, 0.4, 0);
  assert.equal(train.size, 911);
  assert.equal(held.size, 2278 - 911);
  for (let i = 0; i < train.size; i++) {
    const [a, b] = [train.x[2 * i]!, train.x[2 * i + 1]!];
    assert.ok(a <= b);
    assert.equal(train.y[i], (a + b) % 67);
  }
});

test('language models: shapes from the name and the tokenizer, masks on every matrix stay zero through AdamW', async () => {
  const run = await prepareRun('lm_decoder_1_32', trainDefaults('lm_decoder_1_32').dataset);
  const model = run.model;
  assert.deepEqual(model.inputShape, [64]);
  assert.equal(model.numClasses, 260);
  initializeModel(model, 0, 'gpt2');
  const rng = new Rng(1, 'masks');
  for (const [, p] of model.prunableParameters())
    p.setMask(Float32Array.from({ length: p.size }, () => (rng.int(2) === 0 ? 0 : 1)));
  assert.ok(model.prunableParameters().length >= 8, 'embeddings, q/k/v/out, fc1, fc2, head');
  const opt = buildOptimizer(model.parameters(), { optimizer: 'adamw', lr: 1e-2, weightDecay: 0.1 });
  const ids = Int32Array.from({ length: 8 }, (_, i) => i);
  const { x, y } = run.data.train.batch(ids);
  const losses: number[] = [];
  for (let s = 0; s < 15; s++) {
    opt.zeroGrad();
    const loss = run.loss(model.forward(new Tensor(x, [8, 64])), y);
    losses.push(loss.item());
    backward(loss);
    opt.step();
  }
  assert.ok(losses[14]! < losses[0]! - 1, `loss ${losses[0]} → ${losses[14]}`);
  for (const [name, p] of model.prunableParameters())
    p.data.forEach((w, i) => p.mask![i] === 0 && assert.equal(w, 0, `${name}[${i}]`));
  assert.equal(lotteryDefaults('lm_encoder_2_128').pruning.strategy, 'global');
});

test('train: a tiny decoder learns the English UDHR; grok_mlp memorizes its training pairs', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-seq-'));
  try {
    const lm = runCli([
      '--json',
      'train',
      '--model',
      'lm_decoder_1_32',
      '--steps',
      '80',
      '--lr',
      '3e-3',
      '--eval-every',
      '40',
      '--root',
      root,
    ]);
    assert.equal(lm.status, 0, lm.stderr);
    const r = lm.json<{ test_loss: number; test_perplexity: number; tokens_per_second: number }>();
    assert.ok(r.test_loss < Math.log(260) - 1.5, `test loss ${r.test_loss} (uniform: ${Math.log(260)})`);
    assert.ok(
      Math.abs(r.test_perplexity - Math.exp(r.test_loss)) < 1e-9 * r.test_perplexity && r.tokens_per_second > 0,
    );
    const grok = runCli([
      '--json',
      'train',
      '--model',
      'grok_mlp_67',
      '--steps',
      '150ep',
      '--eval-every',
      '50ep',
      '--root',
      root,
    ]);
    assert.equal(grok.status, 0, grok.stderr);
    assert.ok(grok.json<{ train_loss: number }>().train_loss < 0.5);
    const bad = runCli(['train', '--model', 'lm_decoder_1_32', '--dataset', 'udhr:xx', '--root', root]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /^ticketlab: error: .*xx/);
    const wrong = runCli(['train', '--model', 'mnist_lenet_300_100', '--dataset', 'udhr:eng', '--root', root]);
    assert.match(wrong.stderr, /--dataset applies to language models/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
