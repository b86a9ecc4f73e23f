// Sparse training end to end: dense and sparse kernels train the same ticket to the same weights (within float
// rounding), masked weights stay zero on both paths, and the dispatcher records and caches its choices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Tensor, Rng, backward, ops, noGrad } from '../src/engine/index.js';
import { Adam, SGD, initializeModel, chooseKernels, type KernelPolicy } from '../src/nn/index.js';
import { createModel, type Model } from '../src/models/index.js';

function masked(name: string, density: number, seed = 0): Model {
  const m = createModel(name);
  initializeModel(m, seed, m.defaultInit);
  const rng = new Rng(seed, 'sparse-test-mask');
  for (const [, p] of m.prunableParameters()) p.setMask(Float32Array.from({ length: p.size }, () => (rng.uniform() < density ? 1 : 0)));
  return m;
}

function trainFew(m: Model, policy: KernelPolicy, steps: number, opt: 'adam' | 'sgd'): number[] {
  chooseKernels(m, 8, policy);
  const rng = new Rng(5, 'sparse-test-data');
  const [C, H, W] = m.inputShape;
  const x = new Tensor(rng.fillNormal(new Float32Array(8 * C * H * W)), [8, C, H, W]);
  const y = Int32Array.from({ length: 8 }, () => rng.int(10));
  const o = opt === 'adam' ? new Adam(m.parameters(), { lr: 1e-3 }) : new SGD(m.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: 1e-4 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    o.zeroGrad();
    const loss = ops.softmaxCrossEntropy(m.forward(x), y);
    losses.push(loss.item());
    backward(loss);
    o.step();
  }
  return losses;
}

for (const [model, density, opt] of [['mnist_lenet_100_50', 0.05, 'adam'], ['mnist_lenet_100_50', 0.3, 'sgd'], ['cifar_conv_2', 0.05, 'adam']] as const) {
  test(`${model} at ${density * 100}% trains the same on dense and sparse kernels (${opt})`, () => {
    const a = masked(model, density);
    const b = masked(model, density);
    const la = trainFew(a, 'dense', 8, opt);
    const lb = trainFew(b, 'sparse', 8, opt);
    for (let i = 0; i < la.length; i++) assert.ok(Math.abs(la[i]! - lb[i]!) < 1e-3 * (1 + Math.abs(la[i]!)), `step ${i}: ${la[i]} vs ${lb[i]}`);
    const pa = a.prunableParameters();
    const pb = b.prunableParameters();
    for (const [i, [name, p]] of pa.entries()) {
      const q = pb[i]![1];
      for (let j = 0; j < p.size; j++) {
        if (p.mask![j] === 0) assert.ok(Object.is(p.data[j], 0) && Object.is(q.data[j], 0), `${name}[${j}] not zero`);
        else assert.ok(Math.abs(p.data[j]! - q.data[j]!) < 1e-4, `${name}[${j}]: ${p.data[j]} vs ${q.data[j]}`);
      }
    }
  });
}

test('the dispatcher times both kernels, caches its choice and reports it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-kcache-'));
  const prev = process.env.TICKETLAB_KERNEL_CACHE;
  process.env.TICKETLAB_KERNEL_CACHE = path.join(dir, 'k.json');
  try {
    const m = masked('mnist_lenet_300_100', 0.02);
    const first = chooseKernels(m, 60, 'auto', 3);
    assert.equal(first.length, 3);
    for (const c of first) {
      assert.ok(c.dense_ms! > 0 && c.sparse_ms! > 0);
      assert.equal(c.kernel, c.sparse_ms! < c.dense_ms! ? 'sparse' : 'dense');
    }
    const cache = JSON.parse(fs.readFileSync(process.env.TICKETLAB_KERNEL_CACHE, 'utf8')) as Record<string, unknown>;
    assert.equal(Object.keys(cache).length, 3);
    assert.deepEqual(chooseKernels(m, 60, 'auto', 3), first, 'cached: same choices and timings');
    const conv = masked('cifar_conv_2', 0.05);
    const convChoices = chooseKernels(conv, 4, 'auto', 2);
    assert.ok(convChoices.some((c) => c.layer === 'conv2' && c.dense_ms !== null));
    // forcing a policy
    assert.ok(chooseKernels(m, 60, 'sparse').every((c) => c.kernel === 'sparse'));
    assert.ok(chooseKernels(createModel('mnist_lenet_300_100'), 60, 'sparse').every((c) => c.kernel === 'dense'), 'unmasked layers stay dense');
    const out = noGrad(() => m.forward(Tensor.zeros([2, 1, 28, 28])));
    assert.deepEqual(out.shape, [2, 10]);
  } finally {
    if (prev === undefined) delete process.env.TICKETLAB_KERNEL_CACHE;
    else process.env.TICKETLAB_KERNEL_CACHE = prev;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
