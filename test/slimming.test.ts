// Channel slimming of the supernet: the L1 subgradient on the BN scales, the cut plan, and surgery that carries
// weights, BN statistics, masks and optimizer state to the rebuilt network (which computes the same function when
// the cut channels were already silent); a cut that would empty a block is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createModel } from '../src/models/registry.js';
import type { Supernet } from '../src/models/supernet.js';
import { initializeModel } from '../src/nn/reset.js';
import { Tensor } from '../src/engine/tensor.js';
import { backward, noGrad } from '../src/engine/autograd.js';
import { Rng } from '../src/engine/rng.js';
import { crossEntropy } from '../src/training/loss.js';
import { buildOptimizer } from '../src/nn/optim/build.js';
import { studyTrainingDefaults } from '../src/hparams/defaults.js';
import { applyMasks, type Masks } from '../src/pruning/masks.js';
import { RawWeights } from '../src/supertickets/progressive.js';
import {
  addL1Subgradient,
  carry,
  carryOptimizerState,
  cutChannels,
  narrowedBranches,
  planCut,
  sliceChannels,
  slimmingScales,
} from '../src/supertickets/slimming.js';
import { ConfigError } from '../src/util/errors.js';

function setup() {
  const model = createModel('mnist_supernet') as Supernet;
  initializeModel(model, 5, 'kaiming_normal');
  const rng = new Rng(9, 'slimming-test');
  const masks: Masks = new Map(
    model
      .prunableParameters()
      .map(([n, p]) => [n, Float32Array.from({ length: p.size }, () => (rng.uniform() < 0.7 ? 1 : 0))]),
  );
  applyMasks(model, masks);
  const x = new Tensor(
    Float32Array.from({ length: 6 * 784 }, () => rng.normal()),
    [6, 1, 28, 28],
  );
  const y = Int32Array.of(0, 1, 2, 3, 4, 5);
  const opt = buildOptimizer(model.parameters(), studyTrainingDefaults({ optimizer: 'sgd', lr: 0.01, momentum: 0.9 }));
  for (let s = 0; s < 2; s++) {
    opt.zeroGrad();
    backward(crossEntropy(model.forward(x), y));
    opt.step();
  }
  return { model, masks, x, opt };
}

test('the L1 subgradient adds λ·sign(γ) to the slimming scales only', () => {
  const { model, x } = setup();
  model.zeroGrad();
  backward(crossEntropy(model.forward(x), Int32Array.of(0, 1, 2, 3, 4, 5)));
  const scales = slimmingScales(model);
  assert.equal(scales.size, 3 * model.arch.blocks.length);
  const before = new Map([...model.namedParameters()].map(([n, p]) => [n, p.grad!.slice()]));
  addL1Subgradient(model, 0.5);
  for (const [n, p] of model.namedParameters()) {
    const was = before.get(n)!;
    const isScale = /\.dw_bn\.weight$/.test(n);
    for (let i = 0; i < p.size; i++)
      assert.equal(p.grad![i], isScale ? Math.fround(was[i]! + 0.5 * Math.sign(p.data[i]!)) : was[i], n);
  }
});

test('cutting silent channels keeps the function, the masks and the optimizer state; a whole branch can go', () => {
  const { model, masks, x, opt } = setup();
  const scales = slimmingScales(model);
  // Silence channels: half of block 0's 3×3 branch, and all of block 2's 7×7 branch.
  const silence = (path: string, channels: number[]) => {
    const gamma = scales.get(path)!;
    const beta = model.namedParameters().find(([n]) => n === `${path}.dw_bn.bias`)![1];
    for (const c of channels) {
      gamma.data[c] = 0;
      beta.data[c] = 0;
    }
  };
  silence('blocks.0.k3', [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]);
  silence(
    'blocks.2.k7',
    Array.from({ length: scales.get('blocks.2.k7')!.size }, (_, i) => i),
  );
  model.eval();
  const before = noGrad(() => model.forward(x)).data;
  const plan = planCut(model, 1e-3);
  assert.equal(plan.arch.blocks[0]!.branches[0]!.hidden, 16);
  assert.equal(plan.arch.blocks[2]!.branches[2]!.hidden, 0);
  assert.equal(plan.cut, 16 + scales.get('blocks.2.k7')!.size);
  const s = cutChannels(model, plan, masks);
  assert.ok(!s.model.namedParameters().some(([n]) => n.startsWith('blocks.2.k7.')), 'the emptied branch is gone');
  s.model.eval();
  applyMasks(s.model, s.masks!);
  const after = noGrad(() => s.model.forward(x)).data;
  for (let i = 0; i < before.length; i++) assert.ok(Math.abs(before[i]! - after[i]!) < 1e-4, `logit ${i}`);
  // Masks and weights of a sliced tensor: the kept rows of the old ones.
  const keep = plan.keep.get('blocks.0.k3')!;
  const oldW = model.namedParameters().find(([n]) => n === 'blocks.0.k3.expand.weight')![1];
  const newW = s.model.namedParameters().find(([n]) => n === 'blocks.0.k3.expand.weight')![1];
  assert.deepEqual(newW.shape, [16, 16, 1, 1]);
  assert.deepEqual(newW.denseCopy(), sliceChannels(oldW.denseCopy(), oldW.shape, 0, keep));
  assert.deepEqual(
    s.masks!.get('blocks.0.k3.project.weight'),
    sliceChannels(masks.get('blocks.0.k3.project.weight')!, [16, 32, 1, 1], 1, keep),
  );
  // Optimizer state follows its parameter.
  const state = carryOptimizerState(opt.stateDict(), model, s, plan);
  const next = buildOptimizer(
    s.model.parameters(),
    studyTrainingDefaults({ optimizer: 'sgd', lr: 0.01, momentum: 0.9 }),
  );
  next.loadStateDict(state);
  const oldI = model.parameters().indexOf(oldW);
  const newI = s.model.parameters().indexOf(newW);
  assert.deepEqual(
    next.stateDict().get(`${newI}.momentum_buffer`),
    sliceChannels(opt.stateDict().get(`${oldI}.momentum_buffer`)!, oldW.shape, 0, keep),
  );
  assert.equal(next.stepCount, opt.stepCount);
});

test('a threshold that would empty a block is refused, naming the block', () => {
  const { model } = setup();
  assert.throws(
    () => planCut(model, 1e9),
    (e: Error) => e instanceof ConfigError && /would cut every expansion channel of block 0/.test(e.message),
  );
  assert.throws(() => planCut(model, -1), ConfigError);
  // During a search, a block the penalty silenced keeps its strongest channel instead.
  const scales = slimmingScales(model);
  scales.get('blocks.1.k5')!.data[7] = 3;
  const plan = planCut(model, 1e9, 'keep-strongest');
  for (const block of plan.arch.blocks)
    assert.equal(
      block.branches.reduce((a, b) => a + b.hidden, 0),
      1,
    );
  assert.deepEqual([...plan.keep.get('blocks.1.k5')!], [7]);
  assert.equal(plan.cut, plan.total - plan.arch.blocks.length);
});

test('a cut carries the pruned weights remembered values with their channels, and names the narrowed branches', () => {
  const { model, masks } = setup();
  const scales = slimmingScales(model);
  scales.get('blocks.0.k3')!.data.subarray(0, 4).fill(0); // narrows blocks.0.k3 (32 → 28)
  scales.get('blocks.2.k7')!.data.fill(0); // removes blocks.2.k7 entirely
  const plan = planCut(model, 1e-3);
  assert.deepEqual(narrowedBranches(model, plan), ['blocks.0.k3']);
  const raw = new RawWeights();
  const weights = new Map(model.prunableParameters().map(([n, p]) => [n, p.denseCopy().map((v, i) => v || i + 1)]));
  raw.remember(weights, masks);
  const shapes = new Map(model.prunableParameters().map(([n, p]) => [n, p.shape]));
  const before = raw.entries();
  raw.reshape((n, v) => carry(n, v, shapes.get(n)!, plan));
  const after = raw.entries();
  const keep = plan.keep.get('blocks.0.k3')!;
  assert.deepEqual(
    after.get('blocks.0.k3.expand.weight'),
    sliceChannels(before.get('blocks.0.k3.expand.weight')!, shapes.get('blocks.0.k3.expand.weight')!, 0, keep),
  );
  assert.deepEqual(
    after.get('blocks.0.k3.project.weight'),
    sliceChannels(before.get('blocks.0.k3.project.weight')!, shapes.get('blocks.0.k3.project.weight')!, 1, keep),
  );
  assert.ok(![...after.keys()].some((n) => n.startsWith('blocks.2.k7.')), 'a removed branch is forgotten');
  assert.deepEqual(after.get('blocks.1.k5.dw.weight'), before.get('blocks.1.k5.dw.weight'), 'untouched branches');
  assert.deepEqual(after.get('stem.weight'), before.get('stem.weight'));
});
