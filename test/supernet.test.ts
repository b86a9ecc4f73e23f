// The SuperTickets building blocks: the supernet family in the registry, the FLOPs and parameter counter, masked
// depthwise weights under SGD with momentum and weight decay, and the Fashion-MNIST data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { createModel } from '../src/models/registry.js';
import { modelCost } from '../src/models/cost.js';
import { defaultSupernetArch, Supernet } from '../src/models/supernet.js';
import { initializeModel } from '../src/nn/reset.js';
import { Tensor } from '../src/engine/tensor.js';
import { backward } from '../src/engine/autograd.js';
import { Rng } from '../src/engine/rng.js';
import { crossEntropy } from '../src/training/loss.js';
import { buildOptimizer } from '../src/nn/optim/build.js';
import { studyTrainingDefaults } from '../src/hparams/defaults.js';
import { applyMasks, type Masks } from '../src/pruning/masks.js';
import { loadFashionMnist, FASHION_CLASSES } from '../src/data/fashion-mnist.js';
import { ConfigError, DataError } from '../src/util/errors.js';

test('the supernet family: both datasets by name, no arguments, a block never empty', () => {
  const m = createModel('mnist_supernet');
  const f = createModel('fashion_mnist_supernet');
  assert.equal(m.dataset, 'mnist');
  assert.equal(f.dataset, 'fashion_mnist');
  assert.throws(
    () => createModel('mnist_supernet_2'),
    (e: Error) => e instanceof ConfigError && /no arguments/.test(e.message),
  );
  const arch = defaultSupernetArch();
  arch.blocks[1]!.branches.forEach((b) => (b.hidden = 0));
  assert.throws(() => new Supernet('cut', 'mnist', arch), /at least one branch/);
});

test('supernet: forward shape, a gradient for every parameter, cutting a branch lowers the cost', () => {
  const m = createModel('mnist_supernet');
  initializeModel(m, 3, 'kaiming_normal');
  const rng = new Rng(1, 'supernet-test');
  const x = new Tensor(
    Float32Array.from({ length: 4 * 784 }, () => rng.normal()),
    [4, 1, 28, 28],
  );
  const out = m.forward(x);
  assert.deepEqual(out.shape, [4, 10]);
  backward(crossEntropy(out, Int32Array.of(0, 1, 2, 3)));
  for (const [n, p] of m.namedParameters()) assert.ok(p.grad && p.grad.some((v) => v !== 0), `${n} got no gradient`);
  const full = modelCost(m);
  const arch = defaultSupernetArch();
  arch.blocks[0]!.branches[2]!.hidden = 0; // block 0 loses its 7×7 branch
  const cut = modelCost(new Supernet('cut', 'mnist', arch));
  assert.ok(cut.macs < full.macs && cut.params < full.params);
  const dw = full.layers.filter((l) => l.kind === 'depthwise');
  assert.equal(dw.length, 3 * arch.blocks.length);
  // block 0's 7×7 depthwise at 14×14: 32 channels × 49 taps × 196 positions
  assert.equal(full.layers.find((l) => l.name === 'blocks.0.k7.dw')!.macs, 32 * 49 * 196);
});

test('cost: exact for LeNet and ResNet-20, and kept MACs follow the masks', () => {
  const lenet = createModel('mnist_lenet_300_100');
  const c = modelCost(lenet);
  assert.equal(c.params, 266_610);
  assert.equal(c.macs, 784 * 300 + 300 * 100 + 100 * 10);
  assert.equal(modelCost(createModel('cifar_resnet_20')).macs, 40_813_184);
  const masks: Masks = new Map(
    lenet
      .prunableParameters()
      .map(([n, p]) => [n, Float32Array.from({ length: p.size }, (_, i) => (i % 4 === 0 ? 1 : 0))]),
  );
  applyMasks(lenet, masks);
  const sparse = modelCost(lenet);
  assert.equal(sparse.keptMacs, sparse.macs / 4);
  assert.equal(sparse.keptParams, 266_610 - (3 * (784 * 300 + 300 * 100 + 100 * 10)) / 4);
});

test('masked supernet weights (depthwise included) stay exactly zero under SGD with momentum and weight decay', () => {
  const m = createModel('mnist_supernet');
  initializeModel(m, 4, 'kaiming_normal');
  const rng = new Rng(2, 'supernet-masks');
  const masks: Masks = new Map(
    m
      .prunableParameters()
      .map(([n, p]) => [n, Float32Array.from({ length: p.size }, () => (rng.uniform() < 0.5 ? 1 : 0))]),
  );
  applyMasks(m, masks);
  const opt = buildOptimizer(
    m.parameters(),
    studyTrainingDefaults({ optimizer: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 4e-5 }),
  );
  const x = new Tensor(
    Float32Array.from({ length: 8 * 784 }, () => rng.normal()),
    [8, 1, 28, 28],
  );
  for (let s = 0; s < 3; s++) {
    opt.zeroGrad();
    backward(
      crossEntropy(
        m.forward(x),
        Int32Array.from({ length: 8 }, (_, i) => i % 10),
      ),
    );
    opt.step();
  }
  for (const [n, p] of m.prunableParameters()) {
    const mask = masks.get(n)!;
    const data = p.denseCopy();
    for (let i = 0; i < mask.length; i++) if (mask[i] === 0) assert.equal(data[i], 0, `${n}[${i}]`);
  }
});

test('Fashion-MNIST from the bundled package: 60,000 / 10,000, 1,000 test images a class; a bad --data-dir is one line', () => {
  const { train, test: testSet } = loadFashionMnist();
  assert.equal(train.size, 60_000);
  assert.equal(testSet.size, 10_000);
  const perClass = new Array<number>(FASHION_CLASSES.length).fill(0);
  for (const l of testSet.labels) perClass[l]!++;
  assert.deepEqual(perClass, new Array<number>(10).fill(1000));
  assert.deepEqual(train.shape, [1, 28, 28]);
  assert.throws(
    () => loadFashionMnist({ dataDir: path.join(os.tmpdir(), 'no-such-fashion-dir') }),
    (e: Error) => e instanceof DataError && /Fashion-MNIST data directory not found/.test(e.message),
  );
});
