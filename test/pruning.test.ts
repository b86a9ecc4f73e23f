// Magnitude and random pruning: exact counts, thresholds, ties, ignored layers, preserved densities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pruneGlobal, pruneLayerwise, pruneSmallest } from '../src/pruning/magnitude.js';
import { randomizeGlobal, randomizeLayerwise } from '../src/pruning/random.js';
import { countOnes, denseMasks, layerDensities, totalDensity, type Masks } from '../src/pruning/masks.js';
import { createModel } from '../src/models/registry.js';
import { initializeModel } from '../src/nn/reset.js';
import { layerRates } from '../src/lottery/prune-step.js';
import { lotteryDefaults } from '../src/hparams/defaults.js';
import { ConfigError } from '../src/util/errors.js';

test('layerwise pruning removes the smallest |w| of each layer at its own rate', () => {
  const w = new Map([
    ['a', Float32Array.of(0.5, -0.1, 0.3, -0.9, 0.05, 0.7, -0.2, 0.01, 0.6, -0.4)],
    ['b', Float32Array.of(1, -2, 3, -4)],
  ]);
  const m: Masks = new Map([
    ['a', new Float32Array(10).fill(1)],
    ['b', new Float32Array(4).fill(1)],
  ]);
  const out = pruneLayerwise(
    w,
    m,
    new Map([
      ['a', 0.3],
      ['b', 0.5],
    ]),
  );
  assert.deepEqual(
    [...out.get('a')!],
    [1, 1, 1, 1, 0, 1, 1, 0, 1, 1].map((v, i) => (i === 1 ? 0 : v)),
  );
  assert.deepEqual([...out.get('b')!], [0, 0, 1, 1]);
  assert.deepEqual([...m.get('a')!], new Array(10).fill(1), 'input masks untouched');
  // next level prunes 30% of the 7 survivors (rounded: 2), never resurrecting pruned weights
  const again = pruneLayerwise(w, out, new Map([['a', 0.3]]));
  assert.equal(countOnes(again.get('a')!), 5);
  for (let i = 0; i < 10; i++) if (out.get('a')![i] === 0) assert.equal(again.get('a')![i], 0);
});

test('ties at the threshold are broken by index, deterministically', () => {
  const mask = new Float32Array(6).fill(1);
  pruneSmallest([{ scores: Float32Array.of(1, 1, 1, 1, 2, 0), mask }], 3);
  assert.deepEqual([...mask], [0, 0, 1, 1, 1, 0]);
});

test('global pruning ranks across layers and leaves ignored layers alone', () => {
  const w = new Map([
    ['a', Float32Array.of(0.1, 0.2, 5, 6)],
    ['b', Float32Array.of(0.3, 4, 7, 8)],
    ['out', Float32Array.of(0.01, 0.02)],
  ]);
  const m: Masks = new Map([
    ['a', new Float32Array(4).fill(1)],
    ['b', new Float32Array(4).fill(1)],
    ['out', new Float32Array(2).fill(1)],
  ]);
  const out = pruneGlobal(w, m, 0.375, ['out']); // 3 of 8
  assert.deepEqual([...out.get('a')!], [0, 0, 1, 1]);
  assert.deepEqual([...out.get('b')!], [0, 1, 1, 1]);
  assert.deepEqual([...out.get('out')!], [1, 1]);
  assert.throws(() => pruneGlobal(w, m, 1.2), ConfigError);
  assert.throws(() => pruneGlobal(w, m, 0.2, ['nope']), /no prunable weight of that name/);
});

test('IMP densities follow (1-p)^n per layer with the output layer at half rate (LeNet)', () => {
  const model = createModel('mnist_lenet_300_100');
  initializeModel(model, 0, 'glorot_normal');
  const rates = layerRates(model, lotteryDefaults('mnist_lenet_300_100').pruning);
  assert.deepEqual(
    [...rates],
    [
      ['fc1.weight', 0.2],
      ['fc2.weight', 0.2],
      ['fc3.weight', 0.1],
    ],
  );
  const w = new Map(model.prunableParameters().map(([n, p]) => [n, p.data]));
  let m = denseMasks(model);
  for (let level = 1; level <= 15; level++) m = pruneLayerwise(w, m, rates);
  const d = layerDensities(m);
  assert.ok(Math.abs(d['fc1.weight']! - 0.8 ** 15) < 1e-3);
  assert.ok(Math.abs(d['fc3.weight']! - 0.9 ** 15) < 2e-3);
  assert.ok(Math.abs(totalDensity(m) - 0.036) < 0.001, `Pm after 15 levels: ${totalDensity(m)}`);
});

test('random pruning keeps per-layer (layerwise) or total (global) density', () => {
  const m: Masks = new Map([
    ['a', Float32Array.from({ length: 100 }, (_, i) => (i < 30 ? 1 : 0))],
    ['b', Float32Array.from({ length: 50 }, (_, i) => (i < 40 ? 1 : 0))],
  ]);
  const lw = randomizeLayerwise(m, 3);
  assert.equal(countOnes(lw.get('a')!), 30);
  assert.equal(countOnes(lw.get('b')!), 40);
  assert.notDeepEqual(lw.get('a'), m.get('a'));
  assert.deepEqual(randomizeLayerwise(m, 3), lw, 'seeded');
  const gl = randomizeGlobal(m, 3);
  assert.equal(countOnes(gl.get('a')!) + countOnes(gl.get('b')!), 70);
  assert.ok(Math.abs(totalDensity(gl) - totalDensity(m)) < 1e-12);
});

test('target density: one-shot and geometric schedules hit the density exactly', async () => {
  const { nextMask } = await import('../src/lottery/prune-step.js');
  const model = createModel('mnist_lenet_300_100');
  initializeModel(model, 1, 'glorot_normal');
  const w = new Map(model.prunableParameters().map(([n, p]) => [n, p.data]));
  const p = { ...lotteryDefaults('mnist_lenet_300_100').pruning, targetDensity: 0.05 };
  const oneShot = nextMask(model, w, denseMasks(model), p, 1, 1);
  const d = layerDensities(oneShot);
  assert.ok(Math.abs(d['fc1.weight']! - 0.05) < 1e-5);
  // the output layer keeps the relative rate of IMP with fc 20% / output 10% per level
  assert.ok(Math.abs(d['fc3.weight']! - 0.05 ** (Math.log(0.9) / Math.log(0.8))) < 2e-3);
  let m = denseMasks(model);
  for (let level = 1; level <= 4; level++)
    m = nextMask(model, w, m, { ...p, strategy: 'global', ignore: [] }, level, 4);
  assert.ok(Math.abs(totalDensity(m) - 0.05) < 1e-5);
});
