// Modules, masks and optimizers: names, masked weights exactly zero through every update rule, PyTorch's update
// formulas, determinism of seeded init, checkpointable optimizer state and LR schedules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../src/engine/tensor.js';
import { Rng } from '../src/engine/rng.js';
import { backward } from '../src/engine/autograd.js';
import * as ops from '../src/engine/ops/index.js';
import { Adam, AdamW } from '../src/nn/optim/adam.js';
import { SGD } from '../src/nn/optim/sgd.js';
import { Linear } from '../src/nn/layers/linear.js';
import { Conv2d } from '../src/nn/layers/conv.js';
import { BatchNorm } from '../src/nn/layers/batchnorm.js';
import { Parameter } from '../src/nn/parameter.js';
import { initializeModel } from '../src/nn/reset.js';
import { lrAt, validateSchedule } from '../src/nn/schedule.js';
import { Module } from '../src/nn/module.js';
import { fans } from '../src/nn/init.js';
import type { Optimizer } from '../src/nn/optim/optimizer.js';
import { createModel } from '../src/models/registry.js';
import { ConfigError } from '../src/util/errors.js';

test('LeNet parameters have stable dotted names; weights prunable, biases not', () => {
  const m = createModel('mnist_lenet_300_100');
  assert.deepEqual(
    m.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}:${p.prunable}`),
    [
      'fc1.weight:300x784:true',
      'fc1.bias:300:false',
      'fc2.weight:100x300:true',
      'fc2.bias:100:false',
      'fc3.weight:10x100:true',
      'fc3.bias:10:false',
    ],
  );
  assert.equal(m.outputWeight, 'fc3.weight');
  assert.equal(m.countParameters().prunable, 266200);
  const wide = createModel('mnist_lenet_500_300_100');
  assert.equal(wide.prunableParameters().length, 4);
});

test('same seed gives bit-identical weights, another seed different ones', () => {
  const a = createModel('mnist_lenet_300_100');
  const b = createModel('mnist_lenet_300_100');
  const c = createModel('mnist_lenet_300_100');
  initializeModel(a, 3, 'glorot_normal');
  initializeModel(b, 3, 'glorot_normal');
  initializeModel(c, 4, 'glorot_normal');
  for (const [name, v] of a.stateDict()) {
    assert.deepEqual(Buffer.from(v.buffer), Buffer.from(b.stateDict().get(name)!.buffer), name);
    assert.notDeepEqual(v, c.stateDict().get(name), name);
  }
});

test('initializers have the right scale', () => {
  const rng = new Rng(1);
  const w = new Parameter(new Float32Array(300 * 784), [300, 784], true);
  const std = (t: Tensor) => Math.sqrt(t.data.reduce((s, x) => s + x * x, 0) / t.size);
  const l = new Linear(784, 300);
  l.resetParameters(rng, 'glorot_normal');
  assert.ok(Math.abs(std(l.weight) - Math.sqrt(2 / (784 + 300))) < 0.002);
  l.resetParameters(rng, 'kaiming_normal');
  assert.ok(Math.abs(std(l.weight) - Math.sqrt(2 / 784)) < 0.002);
  l.resetParameters(rng, 'kaiming_uniform');
  assert.ok(l.weight.data.reduce((m, x) => Math.max(m, Math.abs(x)), 0) <= Math.sqrt(6 / 784));
  assert.deepEqual(fans([64, 3, 3, 3]), { fanIn: 27, fanOut: 576 });
  assert.ok(w.density() === 1);
});

function maskedSetup(seed: number) {
  const rng = new Rng(seed, 'mask-test');
  const fc = new Linear(8, 5);
  fc.resetParameters(rng, 'kaiming_normal');
  const conv = new Conv2d(2, 3, 3, { padding: 1 });
  conv.resetParameters(rng, 'kaiming_normal');
  const mask = (n: number) => Float32Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 0 : 1));
  fc.weight.setMask(mask(fc.weight.size));
  conv.weight.setMask(mask(conv.weight.size));
  const x = new Tensor(rng.fillNormal(new Float32Array(4 * 2 * 4 * 4)), [4, 2, 4, 4]);
  const xf = new Tensor(rng.fillNormal(new Float32Array(4 * 8)), [4, 8]);
  const y = Int32Array.of(0, 1, 2, 1);
  const head = new Parameter(rng.fillNormal(new Float32Array(3 * 48), 0, 0.1), [3, 48]);
  const loss = () =>
    ops.add(
      ops.softmaxCrossEntropy(ops.linear(ops.flatten(conv.forward(x)), head), y),
      ops.softmaxCrossEntropy(fc.forward(xf), Int32Array.of(0, 4, 2, 1)),
    );
  return { fc, conv, loss };
}

const optimizers: [string, (p: Parameter[]) => Optimizer][] = [
  ['sgd', (p) => new SGD(p, { lr: 0.1 })],
  ['sgd+momentum+wd', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 })],
  ['sgd+nesterov', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-2 })],
  ['adam', (p) => new Adam(p, { lr: 0.01 })],
  ['adam+l2', (p) => new Adam(p, { lr: 0.01, weightDecay: 0.5 })],
  ['adamw', (p) => new AdamW(p, { lr: 0.01, weightDecay: 1.0 })],
];

for (const [name, make] of optimizers) {
  test(`masked weights stay exactly zero: ${name}`, () => {
    const { fc, conv, loss } = maskedSetup(5);
    const params = [...fc.parameters(), ...conv.parameters()];
    const opt = make(params);
    const before = fc.weight.data.slice();
    for (let step = 0; step < 20; step++) {
      opt.zeroGrad();
      backward(loss());
      opt.step();
    }
    for (const w of [fc.weight, conv.weight])
      for (let i = 0; i < w.size; i++)
        if (w.mask![i] === 0) assert.ok(Object.is(w.data[i], 0), `${name}: masked weight ${i} = ${w.data[i]}`);
    // and the unmasked ones did train
    let moved = 0;
    for (let i = 0; i < fc.weight.size; i++) if (fc.weight.mask![i] === 1 && fc.weight.data[i] !== before[i]) moved++;
    assert.ok(moved > 0, `${name}: no unmasked weight changed`);
  });
}

test('SGD with momentum, Nesterov and weight decay follows PyTorch formulas', () => {
  const p = new Parameter(Float32Array.of(1, -2), [2], true);
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
  const grads = [Float32Array.of(0.5, 0.25), Float32Array.of(-1, 2)];
  let w = [1, -2];
  let buf: number[] | null = null;
  for (const g of grads) {
    p.grad = g.slice();
    p.gradStale = false;
    opt.step();
    const d = w.map((wi, i) => g[i]! + 0.01 * wi);
    buf = buf === null ? d : buf.map((b, i) => 0.9 * b + d[i]!);
    const upd = d.map((di, i) => di + 0.9 * buf![i]!);
    w = w.map((wi, i) => wi - 0.1 * upd[i]!);
  }
  assert.ok(Math.abs(p.data[0]! - w[0]!) < 1e-6 && Math.abs(p.data[1]! - w[1]!) < 1e-6, `${[...p.data]} vs ${w}`);
});

test('Adam and AdamW follow PyTorch formulas (bias correction, decoupled decay)', () => {
  for (const decoupled of [false, true]) {
    const p = new Parameter(Float32Array.of(0.5), [1], true);
    const opt = decoupled
      ? new AdamW([p], { lr: 0.1, weightDecay: 0.1 })
      : new Adam([p], { lr: 0.1, weightDecay: 0.1 });
    let w = 0.5,
      m = 0,
      v = 0;
    for (let t = 1; t <= 3; t++) {
      const g0 = 0.3 * t;
      p.grad = Float32Array.of(g0);
      p.gradStale = false;
      opt.step();
      let g = g0;
      if (decoupled) w *= 1 - 0.1 * 0.1;
      else g += 0.1 * w;
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      w -= ((0.1 / (1 - 0.9 ** t)) * m) / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** t) + 1e-8);
    }
    // float32 arithmetic in the kernel vs float64 here
    assert.ok(Math.abs(p.data[0]! - w) < 2e-5 * Math.abs(w), `decoupled=${decoupled}: ${p.data[0]} vs ${w}`);
  }
});

test('optimizer state round-trips so a resumed run continues identically', () => {
  const run = (split: boolean) => {
    const { fc, conv, loss } = maskedSetup(9);
    const params = [...fc.parameters(), ...conv.parameters()];
    let opt: Optimizer = new SGD(params, { lr: 0.05, momentum: 0.9 });
    for (let s = 0; s < 6; s++) {
      if (split && s === 3) {
        const st = opt.stateDict();
        opt = new SGD(params, { lr: 0.05, momentum: 0.9 });
        opt.loadStateDict(st);
      }
      opt.zeroGrad();
      backward(loss());
      opt.step();
    }
    return fc.weight.data;
  };
  assert.deepEqual(run(true), run(false));
  const p = [new Parameter(new Float32Array(3), [3], true)];
  const a = new Adam(p, { lr: 1 });
  a.stepCount = 123456789;
  const b = new Adam(p, { lr: 1 });
  b.loadStateDict(a.stateDict());
  assert.equal(b.stepCount, 123456789);
});

test('invalid optimizer hyperparameters are rejected', () => {
  const p = [new Parameter(new Float32Array(2), [2], true)];
  assert.throws(() => new SGD(p, { lr: -1 }), /learning rate must be a positive number/);
  assert.throws(() => new SGD(p, { lr: 0.1, momentum: 1.5 }), /momentum must be in \[0, 1\)/);
  assert.throws(() => new Adam(p, { lr: 0.1, beta1: 1 }), /beta1 must be in \[0, 1\)/);
  assert.throws(() => new SGD(p, { lr: 0.1, nesterov: true }), /Nesterov/);
});

test('masks: only prunable weights, right size, 0/1 values', () => {
  const l = new Linear(3, 2);
  assert.throws(() => l.bias!.setMask(new Float32Array(2)), /only prunable weights/);
  assert.throws(() => l.weight.setMask(new Float32Array(5)), /mask has 5 entries/);
  assert.throws(() => l.weight.setMask(Float32Array.of(1, 0, 0.5, 1, 1, 1)), /0 or 1/);
  l.weight.data.fill(3);
  l.weight.setMask(Float32Array.of(1, 0, 0, 1, 1, 1));
  assert.deepEqual([...l.weight.data], [3, 0, 0, 3, 3, 3]);
  assert.ok(Math.abs(l.weight.density() - 4 / 6) < 1e-12);
  // re-initialization keeps pruned weights at zero
  class Wrap extends Module {
    fc = this.addModule('fc', l);
    forward(x: Tensor) {
      return this.fc.forward(x);
    }
  }
  initializeModel(new Wrap(), 1, 'kaiming_normal');
  assert.equal(l.weight.data[1], 0);
  assert.equal(l.weight.data[2], 0);
});

test('batch norm keeps running statistics and switches with train/eval', () => {
  const bn = new BatchNorm(2);
  const x = Tensor.from([1, 10, 3, 20, 5, 30], [3, 2]);
  const y = bn.forward(x);
  assert.ok(Math.abs(y.data[0]! + 1.2247) < 1e-3); // (1-3)/sqrt(8/3)
  assert.ok(Math.abs(bn.runningMean[0]! - 0.3) < 1e-6);
  assert.ok(Math.abs(bn.runningVar[1]! - (0.9 + 0.1 * 100)) < 1e-4); // unbiased var of 10,20,30 = 100
  bn.eval();
  const z = bn.forward(x);
  assert.ok(Math.abs(z.data[0]! - (1 - 0.3) / Math.sqrt(0.9 + 0.1 * 4 + 1e-5)) < 1e-4); // unbiased var of 1,3,5 = 4
  assert.ok(Math.abs(z.data[0]! - (1 - 0.3) / Math.sqrt(1.3 + 1e-5)) < 1e-4);
});

test('learning-rate schedules: warmup, milestones, cosine', () => {
  assert.ok(Math.abs(lrAt(0.1, 0, { warmupSteps: 10 }) - 0.01) < 1e-12);
  assert.equal(lrAt(0.1, 9, { warmupSteps: 10 }), 0.1);
  assert.ok(Math.abs(lrAt(0.1, 150, { milestones: [100, 200], gamma: 0.1 }) - 0.01) < 1e-12);
  assert.ok(Math.abs(lrAt(0.1, 250, { milestones: [100, 200], gamma: 0.1 }) - 0.001) < 1e-12);
  assert.equal(lrAt(1, 0, { cosineSteps: 100 }), 1);
  assert.ok(Math.abs(lrAt(1, 50, { cosineSteps: 100 }) - 0.5) < 1e-12);
  assert.ok(Math.abs(lrAt(1, 100, { cosineSteps: 100, minLr: 0.1 }) - 0.1) < 1e-12);
  assert.throws(() => validateSchedule({ milestones: [0] }), ConfigError);
  assert.throws(() => validateSchedule({ milestones: [5], cosineSteps: 10 }), /not both/);
});

test('state dicts load by name and check shapes', () => {
  const a = createModel('mnist_lenet_300_100');
  initializeModel(a, 1, 'glorot_normal');
  const b = createModel('mnist_lenet_300_100');
  b.loadStateDict(a.stateDict());
  assert.deepEqual(b.stateDict().get('fc2.weight'), a.stateDict().get('fc2.weight'));
  const small = createModel('mnist_lenet_30_10');
  assert.throws(() => small.loadStateDict(a.stateDict()), /'fc1.weight' has 235200 values, the model expects 23520/);
});
