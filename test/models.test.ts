// The CIFAR-10 model families: shapes, exact parameter counts, stable names, seeded init, gradients, BN modes,
// name validation and the layer kinds the LTH pruning rates need.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../src/engine/tensor.js';
import { Rng } from '../src/engine/rng.js';
import { backward, noGrad } from '../src/engine/autograd.js';
import * as ops from '../src/engine/ops/index.js';
import { initializeModel } from '../src/nn/reset.js';
import { ConfigError } from '../src/util/errors.js';
import { createModel } from '../src/models/registry.js';
import { layerKinds } from '../src/models/layer-kinds.js';
import type { Model } from '../src/models/model.js';
import { randomTensor } from './helpers/gradcheck.js';

function randomBatch(shape: number[], seed = 1): Tensor {
  return randomTensor(new Rng(seed, 'models-test'), shape, 1, false);
}

function build(name: string, seed = 0): Model {
  const m = createModel(name);
  initializeModel(m, seed, m.defaultInit);
  return m;
}

// Weights only (the paper's Figure 2 counts) and everything (biases and BN γ/β too).
const COUNTS: Record<string, { prunable: number; total: number }> = {
  cifar_conv_2: { prunable: 4_300_992, total: 4_301_642 },
  cifar_conv_4: { prunable: 2_425_024, total: 2_425_930 },
  // The paper's table says 1.7M, but the architecture it describes (fc1 sees 256·4·4 inputs) has 2.26M weights,
  // the figure later papers report for Conv-6.
  cifar_conv_6: { prunable: 2_261_184, total: 2_262_602 },
  cifar_vgg_11: { prunable: 9_222_848, total: 9_231_114 },
  cifar_vgg_13: { prunable: 9_407_168, total: 9_416_010 },
  cifar_vgg_16: { prunable: 14_715_584, total: 14_728_266 },
  cifar_vgg_19: { prunable: 20_024_000, total: 20_040_522 },
  cifar_resnet_8: { prunable: 77_360, total: 78_042 },
  // OpenLTH's ResNet-20 with 1×1 projection shortcuts: 272,474 parameters.
  cifar_resnet_20: { prunable: 270_896, total: 272_474 },
  cifar_resnet_56: { prunable: 851_504, total: 855_770 },
  cifar_resnet_20_32: { prunable: 1_081_440, total: 1_084_586 },
};

test('exact parameter counts', () => {
  for (const [name, want] of Object.entries(COUNTS)) assert.deepEqual(createModel(name).countParameters(), want, name);
});

test('metadata: CIFAR-10 input and classes, output weight exists, paper inits', () => {
  for (const name of Object.keys(COUNTS)) {
    const m = createModel(name);
    assert.equal(m.name, name);
    assert.equal(m.dataset, 'cifar10');
    assert.deepEqual(m.inputShape, [3, 32, 32]);
    assert.equal(m.numClasses, 10);
    const out = m.namedParameters().find(([n]) => n === m.outputWeight);
    assert.ok(out, `${name}: output weight ${m.outputWeight} missing`);
    assert.deepEqual(out[1].shape.slice(0, 1), [10]);
    assert.equal(m.defaultInit, name.startsWith('cifar_conv') ? 'glorot_normal' : 'kaiming_normal');
  }
});

test('forward gives [N, 10] finite logits for every family', () => {
  const x = randomBatch([2, 3, 32, 32]);
  for (const name of [
    'cifar_conv_2',
    'cifar_conv_4',
    'cifar_conv_6',
    'cifar_vgg_11',
    'cifar_vgg_13',
    'cifar_vgg_16',
    'cifar_vgg_19',
    'cifar_resnet_8',
    'cifar_resnet_20',
    'cifar_resnet_14_8',
  ]) {
    const m = build(name);
    const y = noGrad(() => m.forward(x));
    assert.deepEqual(y.shape, [2, 10], name);
    assert.ok(y.data.every(Number.isFinite), `${name}: non-finite logits`);
    assert.ok(
      y.data.some((v) => v !== 0),
      `${name}: all-zero logits`,
    );
  }
});

test('parameter names are stable dotted names in registration order', () => {
  const names = (m: string): string[] =>
    createModel(m)
      .namedParameters()
      .map(([n]) => n);
  assert.deepEqual(names('cifar_conv_2'), [
    'conv1.weight',
    'conv1.bias',
    'conv2.weight',
    'conv2.bias',
    'fc1.weight',
    'fc1.bias',
    'fc2.weight',
    'fc2.bias',
    'fc3.weight',
    'fc3.bias',
  ]);
  const conv6 = createModel('cifar_conv_6');
  assert.deepEqual(conv6.namedParameters().find(([n]) => n === 'conv6.weight')?.[1].shape, [256, 256, 3, 3]);
  assert.deepEqual(conv6.namedParameters().find(([n]) => n === 'fc1.weight')?.[1].shape, [256, 4096]);

  // OpenLTH's VGG names count the pools too: layers.1 is the first max-pool in VGG-11.
  const vgg = names('cifar_vgg_11');
  assert.deepEqual(vgg.slice(0, 6), [
    'layers.0.conv.weight',
    'layers.0.conv.bias',
    'layers.0.bn.weight',
    'layers.0.bn.bias',
    'layers.2.conv.weight',
    'layers.2.conv.bias',
  ]);
  assert.deepEqual(vgg.slice(-2), ['fc.weight', 'fc.bias']);
  assert.ok(vgg.includes('layers.11.bn.bias'));

  const resnet = names('cifar_resnet_20');
  assert.deepEqual(resnet.slice(0, 4), ['conv.weight', 'bn.weight', 'bn.bias', 'blocks.0.conv1.weight']);
  assert.ok(resnet.includes('blocks.3.shortcut.0.weight') && resnet.includes('blocks.6.shortcut.1.bias'));
  assert.ok(!resnet.some((n) => n.startsWith('blocks.0.shortcut')), 'identity shortcut has no parameters');
  assert.ok(!resnet.includes('conv.bias') && !resnet.includes('blocks.0.conv1.bias'), 'ResNet convs have no bias');
  assert.deepEqual(resnet.slice(-2), ['fc.weight', 'fc.bias']);
  assert.equal(resnet.length, 65);
});

test('BN parameters are not prunable; conv and linear weights are', () => {
  for (const name of ['cifar_vgg_11', 'cifar_resnet_20']) {
    for (const [n, p] of createModel(name).namedParameters()) {
      const isWeight = n.endsWith('.weight') && p.ndim >= 2;
      assert.equal(p.prunable, isWeight, `${name}: ${n}`);
    }
  }
});

test('initializeModel: same seed bit-identical, different seed different, paper scales', () => {
  for (const name of ['cifar_conv_2', 'cifar_vgg_11', 'cifar_resnet_20']) {
    const a = build(name, 3).stateDict();
    const b = build(name, 3).stateDict();
    const c = build(name, 4).stateDict();
    for (const [n, v] of a) {
      assert.deepEqual(Buffer.from(v.buffer), Buffer.from(b.get(n)!.buffer), `${name}: ${n} differs for the same seed`);
    }
    const w = name.startsWith('cifar_conv')
      ? 'conv1.weight'
      : name.startsWith('cifar_vgg')
        ? 'layers.0.conv.weight'
        : 'conv.weight';
    assert.notDeepEqual(a.get(w), c.get(w), `${name}: ${w} equal for different seeds`);
  }
  const std = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
  // Glorot normal for Conv-2's fc1 [256, 16384]; Kaiming normal (fan-in) for ResNet-20's last conv [64, 64, 3, 3].
  const conv2 = build('cifar_conv_2').stateDict();
  assert.ok(Math.abs(std(conv2.get('fc1.weight')!) / Math.sqrt(2 / (16384 + 256)) - 1) < 0.01);
  const resnet = build('cifar_resnet_20').stateDict();
  assert.ok(Math.abs(std(resnet.get('blocks.8.conv2.weight')!) / Math.sqrt(2 / (64 * 9)) - 1) < 0.03);
});

// A float64 reference of CifarResNet's training-mode forward (naive loops), reading weights by dotted name. Float32
// finite differences are useless here: BN couples every unit of a channel, so nudging an early weight by 1e-4
// already moves some ReLU input across zero; in float64 an eps of 1e-6 stays clear of those kinks.
type T64 = { d: Float64Array; s: number[] };
function resnetReference(w: Map<string, T64>, input: T64): Float64Array {
  const conv = (x: T64, k: T64, stride: number, pad: number): T64 => {
    const [N, C, H, W] = x.s as [number, number, number, number];
    const [O, , K] = k.s as [number, number, number];
    const OH = Math.floor((H + 2 * pad - K) / stride) + 1;
    const OW = Math.floor((W + 2 * pad - K) / stride) + 1;
    const y = new Float64Array(N * O * OH * OW);
    for (let n = 0; n < N; n++)
      for (let o = 0; o < O; o++)
        for (let i = 0; i < OH; i++)
          for (let j = 0; j < OW; j++) {
            let s = 0;
            for (let c = 0; c < C; c++)
              for (let a = 0; a < K; a++)
                for (let b = 0; b < K; b++) {
                  const h = i * stride - pad + a;
                  const v = j * stride - pad + b;
                  if (h >= 0 && h < H && v >= 0 && v < W)
                    s += x.d[((n * C + c) * H + h) * W + v]! * k.d[((o * C + c) * K + a) * K + b]!;
                }
            y[((n * O + o) * OH + i) * OW + j] = s;
          }
    return { d: y, s: [N, O, OH, OW] };
  };
  const bn = (x: T64, prefix: string): T64 => {
    const [N, C, H, W] = x.s as [number, number, number, number];
    const hw = H * W;
    const y = new Float64Array(x.d.length);
    for (let c = 0; c < C; c++) {
      const idx = (n: number, i: number): number => (n * C + c) * hw + i;
      let mu = 0;
      let v = 0;
      for (let n = 0; n < N; n++) for (let i = 0; i < hw; i++) mu += x.d[idx(n, i)]! / (N * hw);
      for (let n = 0; n < N; n++) for (let i = 0; i < hw; i++) v += (x.d[idx(n, i)]! - mu) ** 2 / (N * hw);
      const scale = w.get(`${prefix}.weight`)!.d[c]! / Math.sqrt(v + 1e-5);
      for (let n = 0; n < N; n++)
        for (let i = 0; i < hw; i++) y[idx(n, i)] = (x.d[idx(n, i)]! - mu) * scale + w.get(`${prefix}.bias`)!.d[c]!;
    }
    return { d: y, s: x.s };
  };
  const relu = (x: T64): T64 => ({ d: x.d.map((v) => Math.max(v, 0)), s: x.s });
  let h = relu(bn(conv(input, w.get('conv.weight')!, 1, 1), 'bn'));
  for (let k = 0; w.has(`blocks.${k}.conv1.weight`); k++) {
    const p = `blocks.${k}`;
    const stride = w.get(`${p}.conv1.weight`)!.s[0] === h.s[1] ? 1 : 2;
    const main = bn(
      conv(relu(bn(conv(h, w.get(`${p}.conv1.weight`)!, stride, 1), `${p}.bn1`)), w.get(`${p}.conv2.weight`)!, 1, 1),
      `${p}.bn2`,
    );
    const short = w.has(`${p}.shortcut.0.weight`)
      ? bn(conv(h, w.get(`${p}.shortcut.0.weight`)!, stride, 0), `${p}.shortcut.1`)
      : h;
    h = relu({ d: main.d.map((v, i) => v + short.d[i]!), s: main.s });
  }
  const [N, C, H, W] = h.s as [number, number, number, number];
  const fc = w.get('fc.weight')!;
  const out = new Float64Array(N * fc.s[0]!);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < fc.s[0]!; o++) {
      let s = w.get('fc.bias')!.d[o]!;
      for (let c = 0; c < C; c++)
        for (let i = 0; i < H * W; i++) s += (fc.d[o * C + c]! * h.d[(n * C + c) * H * W + i]!) / (H * W);
      out[n * fc.s[0]! + o] = s;
    }
  return out;
}

function meanCrossEntropy(logits: Float64Array, labels: Int32Array): number {
  const C = logits.length / labels.length;
  let loss = 0;
  labels.forEach((y, n) => {
    const row = logits.subarray(n * C, (n + 1) * C);
    const max = Math.max(...row);
    loss += Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max - row[y]!;
  });
  return loss / labels.length;
}

test('ResNet-8: one training step gives every parameter a gradient that matches float64 finite differences', () => {
  const m = build('cifar_resnet_8_4', 5);
  const x = randomBatch([2, 3, 8, 8], 2);
  const labels = Int32Array.from([3, 7]);
  m.train().zeroGrad();
  const logits = m.forward(x);
  backward(ops.softmaxCrossEntropy(logits, labels));
  for (const [n, p] of m.namedParameters()) {
    assert.ok(p.grad && !p.gradStale, `${n}: no gradient`);
    assert.ok(p.grad.every(Number.isFinite), `${n}: non-finite gradient`);
    assert.ok(
      p.grad.some((g) => g !== 0),
      `${n}: all-zero gradient`,
    );
  }

  const weights = new Map(m.namedParameters().map(([n, p]) => [n, { d: Float64Array.from(p.data), s: p.shape }]));
  const input = { d: Float64Array.from(x.data), s: x.shape };
  const ref = resnetReference(weights, input);
  assert.ok(
    ref.every((v, i) => Math.abs(v - logits.data[i]!) < 1e-4),
    'engine forward differs from the float64 reference',
  );
  const loss = (): number => meanCrossEntropy(resnetReference(weights, input), labels);
  const eps = 1e-6;
  for (const [n, p] of m.namedParameters()) {
    const w = weights.get(n)!.d;
    for (const i of [0, Math.floor(p.size / 2), p.size - 1]) {
      const orig = w[i]!;
      w[i] = orig + eps;
      const lp = loss();
      w[i] = orig - eps;
      const lm = loss();
      w[i] = orig;
      const numeric = (lp - lm) / (2 * eps);
      const analytic = p.grad![i]!;
      assert.ok(
        Math.abs(analytic - numeric) <= 1e-4 + 1e-3 * Math.abs(numeric),
        `${n}[${i}]: analytic ${analytic} vs numeric ${numeric}`,
      );
    }
  }
});

test('BN models differ between train and eval mode; Conv-N does not', () => {
  const x = randomBatch([2, 3, 32, 32], 4);
  for (const name of ['cifar_resnet_8', 'cifar_vgg_11']) {
    const m = build(name);
    const mean = m.namedBuffers().find(([n]) => n.endsWith('running_mean'))![1];
    const train = noGrad(() => m.train().forward(x));
    assert.ok(
      mean.some((v) => v !== 0),
      `${name}: training forward did not update running statistics`,
    );
    const evalOut = noGrad(() => m.eval().forward(x));
    assert.ok(
      train.data.some((v, i) => Math.abs(v - evalOut.data[i]!) > 1e-4),
      `${name}: train and eval outputs agree`,
    );
  }
  const conv = build('cifar_conv_2');
  const a = noGrad(() => conv.train().forward(x));
  const b = noGrad(() => conv.eval().forward(x));
  assert.deepEqual(a.data, b.data);
});

test('width variant scales every stage', () => {
  const m = createModel('cifar_resnet_8_8');
  const shape = (n: string): number[] | undefined => m.namedParameters().find(([k]) => k === n)?.[1].shape;
  assert.deepEqual(shape('conv.weight'), [8, 3, 3, 3]);
  assert.deepEqual(shape('blocks.1.conv1.weight'), [16, 8, 3, 3]);
  assert.deepEqual(shape('blocks.2.shortcut.0.weight'), [32, 16, 1, 1]);
  assert.deepEqual(shape('fc.weight'), [10, 32]);
});

test('bad model names throw ConfigError with readable messages', () => {
  const cases: [string, RegExp][] = [
    ['cifar_conv_3', /^cifar_conv_3: Conv depth must be one of 2, 4, 6/],
    ['cifar_conv', /^cifar_conv: expected cifar_conv_<depth>$/],
    ['cifar_vgg_12', /^cifar_vgg_12: VGG depth must be one of 11, 13, 16, 19$/],
    ['cifar_vgg_x', /^cifar_vgg_x: depth must be a positive integer, got 'x'$/],
    ['cifar_resnet_21', /^cifar_resnet_21: depth must be 6n\+2 \(8, 14, 20, 32, 44, 56, 110\)$/],
    ['cifar_resnet_2', /depth must be 6n\+2/],
    ['cifar_resnet_20_0', /^cifar_resnet_20_0: width must be a positive integer, got '0'$/],
    ['cifar_resnet_20_100000', /^cifar_resnet_20_100000: width 100000 is too large \(at most 10000\)$/],
    ['cifar_resnet_20_16_2', /^cifar_resnet_20_16_2: expected cifar_resnet_<depth>\[_<width>\]$/],
    ['cifar_lenet_300', /unknown model 'cifar_lenet_300'.*cifar_conv_2.*cifar_vgg_16.*cifar_resnet_20/],
  ];
  for (const [name, message] of cases) {
    assert.throws(
      () => createModel(name),
      (e: unknown) => e instanceof ConfigError && message.test(e.message),
      name,
    );
  }
});

test('layerKinds: conv, fc and output weights (Conv-N, LeNet, ResNet)', () => {
  assert.deepEqual(
    [...layerKinds(createModel('cifar_conv_4'))],
    [
      ['conv1.weight', 'conv'],
      ['conv2.weight', 'conv'],
      ['conv3.weight', 'conv'],
      ['conv4.weight', 'conv'],
      ['fc1.weight', 'fc'],
      ['fc2.weight', 'fc'],
      ['fc3.weight', 'output'],
    ],
  );
  assert.deepEqual(
    [...layerKinds(createModel('mnist_lenet_300_100'))],
    [
      ['fc1.weight', 'fc'],
      ['fc2.weight', 'fc'],
      ['fc3.weight', 'output'],
    ],
  );
  const resnet = layerKinds(createModel('cifar_resnet_20'));
  assert.equal(resnet.get('blocks.3.shortcut.0.weight'), 'conv');
  assert.equal(resnet.get('fc.weight'), 'output');
  assert.equal(resnet.has('bn.weight'), false);
  assert.equal([...resnet.values()].filter((k) => k === 'conv').length, 21);
  const vgg = layerKinds(createModel('cifar_vgg_19'));
  assert.equal(vgg.size, 17);
  assert.equal(vgg.get('fc.weight'), 'output');
});
