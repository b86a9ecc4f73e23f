// Every differentiable op against finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../src/engine/tensor.js';
import { Rng } from '../src/engine/rng.js';
import * as ops from '../src/engine/ops/index.js';
import { noGrad, backward } from '../src/engine/autograd.js';
import { native } from '../src/engine/native.js';
import { gradCheck, randomTensor } from './helpers/gradcheck.js';

const rng = new Rng(7, 'grad-tests');

for (const backend of ['openblas', 'fallback'] as const) {
  test(`linear (${backend})`, (t) => {
    if (backend === 'openblas' && !native.info().compiledWithOpenBLAS) return t.skip('built without OpenBLAS');
    native.setGemmBackend(backend);
    try {
      const x = randomTensor(rng, [5, 7]);
      const w = randomTensor(rng, [4, 7]);
      const b = randomTensor(rng, [4]);
      gradCheck('linear', [x, w, b], () => ops.linear(x, w, b));
      gradCheck('linear no bias', [x, w], () => ops.linear(x, w));
    } finally {
      native.setGemmBackend(native.info().compiledWithOpenBLAS ? 'openblas' : 'fallback');
    }
  });

  test(`conv2d stride/padding variants (${backend})`, (t) => {
    if (backend === 'openblas' && !native.info().compiledWithOpenBLAS) return t.skip('built without OpenBLAS');
    native.setGemmBackend(backend);
    try {
      for (const [stride, padding, k] of [
        [1, 1, 3],
        [2, 1, 3],
        [1, 0, 3],
        [2, 0, 1],
        [1, 0, 1],
        [3, 2, 5],
      ] as const) {
        const x = randomTensor(rng, [2, 3, 7, 6]);
        const w = randomTensor(rng, [4, 3, k, k], 0.5);
        const b = randomTensor(rng, [4]);
        gradCheck(`conv2d s${stride} p${padding} k${k}`, [x, w, b], () => ops.conv2d(x, w, b, { stride, padding }));
      }
    } finally {
      native.setGemmBackend(native.info().compiledWithOpenBLAS ? 'openblas' : 'fallback');
    }
  });
}

test('matmul', () => {
  const a = randomTensor(rng, [3, 5]);
  const b = randomTensor(rng, [5, 4]);
  gradCheck('matmul', [a, b], () => ops.matmul(a, b));
});

test('max pooling (distinct values so the argmax is stable)', () => {
  const x = Tensor.zeros([2, 2, 6, 6], true);
  const perm = new Rng(3).shuffle(Int32Array.from({ length: x.size }, (_, i) => i));
  for (let i = 0; i < x.size; i++) x.data[i] = perm[i]! * 0.1; // gaps of 0.1 ≫ eps
  gradCheck('maxPool2d k2', [x], () => ops.maxPool2d(x, 2));
  gradCheck('maxPool2d k3 s2 p1', [x], () => ops.maxPool2d(x, 3, 2, 1));
});

test('average and global average pooling', () => {
  const x = randomTensor(rng, [2, 3, 6, 6]);
  gradCheck('avgPool2d k2', [x], () => ops.avgPool2d(x, 2));
  gradCheck('avgPool2d k3 s1 p1', [x], () => ops.avgPool2d(x, 3, 1, 1));
  gradCheck('globalAvgPool', [x], () => ops.globalAvgPool(x));
});

test('batch norm, training and eval, 2-D and 4-D', () => {
  for (const shape of [
    [6, 4],
    [3, 4, 3, 3],
  ]) {
    const C = shape[1]!;
    const x = randomTensor(rng, shape);
    const g = randomTensor(rng, [C]);
    const b = randomTensor(rng, [C]);
    const fresh = () => ({ runningMean: new Float32Array(C), runningVar: new Float32Array(C).fill(1) });
    gradCheck(`batchNorm train ${shape}`, [x, g, b], () => ops.batchNorm(x, g, b, fresh(), true), {
      eps: 1e-2,
      rtol: 3e-2,
    });
    const st = {
      runningMean: Float32Array.from({ length: C }, (_, i) => 0.1 * i),
      runningVar: new Float32Array(C).fill(2),
    };
    gradCheck(`batchNorm eval ${shape}`, [x, g, b], () => ops.batchNorm(x, g, b, st, false));
  }
});

test('relu away from the kink', () => {
  const x = randomTensor(rng, [4, 9]);
  for (let i = 0; i < x.size; i++) if (Math.abs(x.data[i]!) < 0.05) x.data[i] = 0.3;
  gradCheck('relu', [x], () => ops.relu(x));
});

test('dropout with a fixed seed', () => {
  const x = randomTensor(rng, [4, 10]);
  gradCheck('dropout', [x], () => ops.dropout(x, 0.3, new Rng(5, 'dropout'), true));
});

test('reshape, flatten and add (residual)', () => {
  const a = randomTensor(rng, [2, 3, 2, 2]);
  const b = randomTensor(rng, [2, 3, 2, 2]);
  gradCheck('flatten(add)', [a, b], () => ops.flatten(ops.add(a, b)));
  gradCheck('reshape', [a], () => ops.reshape(a, [4, -1]));
  gradCheck('add same input twice', [a], () => ops.add(a, a));
  gradCheck('mul', [a, b], () => ops.mul(a, b));
  const seq = randomTensor(rng, [3, 4, 5]);
  gradCheck('selectPosition (last)', [seq], () => ops.selectPosition(seq, -1));
  gradCheck('selectPosition (first, reused)', [seq], () =>
    ops.add(ops.selectPosition(seq, 0), ops.selectPosition(seq, 0)),
  );
  assert.throws(() => ops.selectPosition(seq, 4), /position 4 outside a sequence of 4/);
});

test('embedding lookup with repeated indices', () => {
  const table = randomTensor(rng, [6, 4]);
  const idx = Int32Array.of(0, 3, 3, 5, 1);
  gradCheck('embedding', [table], () => ops.embedding(idx, table));
});

test('softmax cross-entropy and mse', () => {
  const z = randomTensor(rng, [5, 7], 3);
  const labels = Int32Array.of(0, 6, 3, 3, 1);
  gradCheck('softmaxCrossEntropy', [z], () => ops.softmaxCrossEntropy(z, labels), { eps: 1e-2 });
  const p = randomTensor(rng, [5, 3]);
  const target = new Rng(9).fillNormal(new Float32Array(15));
  gradCheck('mse', [p], () => ops.mse(p, target));
});

test('a small network end to end (conv → bn → relu → pool → linear → CE)', () => {
  const x = randomTensor(rng, [3, 2, 6, 6]);
  const cw = randomTensor(rng, [4, 2, 3, 3], 0.5);
  const g = randomTensor(rng, [4]);
  const b = randomTensor(rng, [4]);
  const w = randomTensor(rng, [5, 36], 0.3);
  const labels = Int32Array.of(1, 4, 0);
  const f = () => {
    const st = { runningMean: new Float32Array(4), runningVar: new Float32Array(4).fill(1) };
    const h = ops.maxPool2d(ops.relu(ops.batchNorm(ops.conv2d(x, cw, null, { padding: 1 }), g, b, st, true)), 2);
    return ops.softmaxCrossEntropy(ops.linear(ops.flatten(h), w), labels);
  };
  gradCheck('network', [x, cw, g, b, w], f, { eps: 1e-3, rtol: 5e-2, atol: 5e-3 });
});

test('cross-entropy is numerically stable for huge logits', () => {
  const z = Tensor.from([1000, 0, -1000, 1e4, 1e4 - 1, 0], [2, 3]);
  const loss = noGrad(() => ops.softmaxCrossEntropy(z, Int32Array.of(0, 1)));
  assert.ok(Number.isFinite(loss.item()));
  assert.ok(Math.abs(loss.item() - (0 + (1 + Math.log(1 + Math.exp(-1) + Math.exp(-1e4)))) / 2) < 1e-4);
});

test('shape errors are clear', () => {
  const x = Tensor.zeros([2, 3]);
  const w = Tensor.zeros([4, 5]);
  assert.throws(() => ops.linear(x, w), /input \[2, 3\] does not match weight \[4, 5\]/);
  assert.throws(() => ops.conv2d(Tensor.zeros([1, 3, 4, 4]), Tensor.zeros([2, 2, 3, 3])), /does not match weight/);
  assert.throws(() => ops.softmaxCrossEntropy(Tensor.zeros([2, 3]), Int32Array.of(0, 5)), /label 5 out of range/);
  assert.throws(() => ops.reshape(x, [4, 2]), /cannot reshape/);
});

test('sparse linear (CSR, feature-major) matches the dense layer and passes gradient checks', () => {
  const r = new Rng(21, 'sparse');
  for (const [density, n] of [
    [1, 6],
    [0.5, 16],
    [0.1, 33],
    [0.02, 150],
    [0.3, 128],
  ] as const) {
    // batch sizes cover one masked block, full blocks, several blocks and the generic path (> 128)
    const x = randomTensor(r, [n, 40]);
    const w = randomTensor(r, [30, 40]);
    const b = randomTensor(r, [30]);
    const mask = Float32Array.from({ length: w.size }, () => (r.uniform() < density ? 1 : 0));
    for (let i = 0; i < w.size; i++) w.data[i]! *= mask[i]!;
    const csr = ops.csrFromMask(mask, 30, 40);
    const dense = noGrad(() => ops.linear(x, w, b));
    const sparse = noGrad(() => ops.batchMajor(ops.sparseLinear(x, w, b, csr)));
    for (let i = 0; i < dense.size; i++)
      assert.ok(Math.abs(dense.data[i]! - sparse.data[i]!) < 1e-4, `density ${density} [${i}]`);
    // gradient of the weight only at the mask's non-zeros; check x, w (masked entries get zero), b
    gradCheck(`sparseLinear d=${density} n=${n}`, [x, b], () => ops.sparseLinear(x, w, b, csr), { maxPoints: 60 });
    w.grad = null;
    const out = ops.sparseLinear(x, w, b, csr);
    backward(out, new Float32Array(out.size).fill(1));
    for (let i = 0; i < w.size; i++) if (mask[i] === 0) assert.equal(w.grad![i], 0);
    const wd = Tensor.from(w.data, w.shape, true);
    backward(ops.linear(x.detach(), wd, null), new Float32Array(dense.size).fill(1));
    for (let i = 0; i < w.size; i++)
      if (mask[i] === 1) assert.ok(Math.abs(wd.grad![i]! - w.grad![i]!) < 1e-3, `dW[${i}]`);
  }
});

test('layout conversions and chains of feature-major ops', () => {
  const r = new Rng(22, 'layout');
  const x = randomTensor(r, [5, 7]);
  gradCheck('featureMajor∘batchMajor', [x], () => ops.batchMajor(ops.relu(ops.featureMajor(x))));
  const w1 = randomTensor(r, [6, 7]);
  const w2 = randomTensor(r, [4, 6]);
  const csr1 = ops.csrFromMask(new Float32Array(42).fill(1), 6, 7);
  const labels = Int32Array.of(0, 3, 1, 2, 3);
  // sparse → relu → dense linear → cross-entropy: layouts are converted where needed
  gradCheck('sparse chain', [x, w1, w2], () =>
    ops.softmaxCrossEntropy(ops.linear(ops.relu(ops.sparseLinear(x, w1, null, csr1)), w2), labels),
  );
});

test('sparse conv2d (CSR, stride 1) matches dense conv and passes gradient checks', () => {
  const r = new Rng(23, 'sparse-conv');
  for (const [density, k, pad] of [
    [1, 3, 1],
    [0.4, 3, 0],
    [0.1, 5, 2],
    [0.3, 1, 0],
  ] as const) {
    const x = randomTensor(r, [2, 3, 6, 7]);
    const w = randomTensor(r, [4, 3, k, k], 0.5);
    const b = randomTensor(r, [4]);
    const mask = Float32Array.from({ length: w.size }, () => (r.uniform() < density ? 1 : 0));
    for (let i = 0; i < w.size; i++) w.data[i]! *= mask[i]!;
    const csr = ops.csrFromMask(mask, 4, 3 * k * k);
    const dense = noGrad(() => ops.conv2d(x, w, b, { padding: pad }));
    const sparse = noGrad(() => ops.sparseConv2d(x, w, b, csr, pad));
    assert.deepEqual(sparse.shape, dense.shape);
    for (let i = 0; i < dense.size; i++)
      assert.ok(Math.abs(dense.data[i]! - sparse.data[i]!) < 1e-4, `d=${density} k=${k} [${i}]`);
    gradCheck(`sparseConv2d d=${density} k=${k} p=${pad}`, [x, b], () => ops.sparseConv2d(x, w, b, csr, pad), {
      maxPoints: 40,
    });
    w.grad = null;
    const out = ops.sparseConv2d(x, w, b, csr, pad);
    const ones = new Float32Array(out.size).fill(1);
    backward(out, ones);
    const wd = Tensor.from(w.data, w.shape, true);
    backward(ops.conv2d(x.detach(), wd, null, { padding: pad }), ones);
    for (let i = 0; i < w.size; i++) {
      if (mask[i] === 0) assert.equal(w.grad![i], 0);
      else assert.ok(Math.abs(wd.grad![i]! - w.grad![i]!) < 1e-3 * (1 + Math.abs(wd.grad![i]!)), `dW[${i}]`);
    }
  }
});

test('depthwise conv2d: finite differences, and agreement with a grouped dense conv', () => {
  for (const [stride, padding, k, H, W] of [
    [1, 1, 3, 7, 6],
    [2, 1, 3, 7, 6],
    [1, 2, 5, 6, 7],
    [2, 3, 7, 9, 8],
    [1, 0, 3, 5, 5],
  ] as const) {
    const C = 3;
    const x = randomTensor(rng, [2, C, H, W]);
    const w = randomTensor(rng, [C, 1, k, k], 0.5);
    const b = randomTensor(rng, [C]);
    gradCheck(`depthwise s${stride} p${padding} k${k}`, [x, w, b], () =>
      ops.depthwiseConv2d(x, w, b, { stride, padding }),
    );
    gradCheck(`depthwise no bias s${stride} k${k}`, [x, w], () => ops.depthwiseConv2d(x, w, null, { stride, padding }));
    // The same filters as a dense conv whose off-diagonal (cross-channel) filters are zero.
    const dense = new Float32Array(C * C * k * k);
    for (let c = 0; c < C; c++) dense.set(w.data.subarray(c * k * k, (c + 1) * k * k), (c * C + c) * k * k);
    const want = noGrad(() => ops.conv2d(x, new Tensor(dense, [C, C, k, k]), b, { stride, padding }));
    const got = noGrad(() => ops.depthwiseConv2d(x, w, b, { stride, padding }));
    assert.deepEqual(got.shape, want.shape);
    for (let i = 0; i < got.size; i++) assert.ok(Math.abs(got.data[i]! - want.data[i]!) < 1e-5, `element ${i}`);
  }
  assert.throws(() => ops.depthwiseConv2d(Tensor.zeros([1, 3, 4, 4]), Tensor.zeros([2, 1, 3, 3])), /does not match 2/);
  assert.throws(() => ops.depthwiseConv2d(Tensor.zeros([1, 3, 4, 4]), Tensor.zeros([3, 2, 3, 3])), /\[C, 1, K, K\]/);
});
