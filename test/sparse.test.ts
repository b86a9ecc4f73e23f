// Sparse training end to end: dense and sparse kernels train the same ticket to the same weights (within float
// rounding), masked weights stay zero on both paths, and the dispatcher records and caches its choices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Tensor } from '../src/engine/tensor.js';
import { Rng } from '../src/engine/rng.js';
import { backward, noGrad } from '../src/engine/autograd.js';
import * as ops from '../src/engine/ops/index.js';
import { native } from '../src/engine/native.js';
import { Adam } from '../src/nn/optim/adam.js';
import { SGD } from '../src/nn/optim/sgd.js';
import { initializeModel } from '../src/nn/reset.js';
import { chooseKernels, type KernelChoice, type KernelPolicy } from '../src/nn/dispatch.js';
import { trainingMemory } from '../src/nn/memory.js';
import { createModel } from '../src/models/registry.js';
import type { Model } from '../src/models/model.js';
import { Module } from '../src/nn/module.js';
import { loadMnist } from '../src/data/mnist.js';
import { evaluate } from '../src/training/evaluate.js';
import { crossEntropy } from '../src/training/loss.js';

/** Runs fn with the kernel cache in a fresh temporary file (the kernel watch caches its verdicts there). */
function withFreshKernelCache<T>(fn: () => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-kc-'));
  const prev = process.env.TICKETLAB_KERNEL_CACHE;
  process.env.TICKETLAB_KERNEL_CACHE = path.join(dir, 'k.json');
  try {
    return fn();
  } finally {
    if (prev === undefined) delete process.env.TICKETLAB_KERNEL_CACHE;
    else process.env.TICKETLAB_KERNEL_CACHE = prev;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function masked(name: string, density: number, seed = 0): Model {
  const m = createModel(name);
  initializeModel(m, seed, m.defaultInit);
  const rng = new Rng(seed, 'sparse-test-mask');
  for (const [, p] of m.prunableParameters())
    p.setMask(Float32Array.from({ length: p.size }, () => (rng.uniform() < density ? 1 : 0)));
  return m;
}

function trainFew(m: Model, policy: KernelPolicy, steps: number, opt: 'adam' | 'sgd'): number[] {
  chooseKernels(m, 8, policy);
  const rng = new Rng(5, 'sparse-test-data');
  const [C, H, W] = m.inputShape;
  const x = new Tensor(rng.fillNormal(new Float32Array(8 * C * H * W)), [8, C, H, W]);
  const y = Int32Array.from({ length: 8 }, () => rng.int(10));
  const o =
    opt === 'adam'
      ? new Adam(m.parameters(), { lr: 1e-3 })
      : new SGD(m.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: 1e-4 });
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

for (const [model, density, opt] of [
  ['mnist_lenet_100_50', 0.05, 'adam'],
  ['mnist_lenet_100_50', 0.3, 'sgd'],
  ['cifar_conv_2', 0.05, 'adam'],
] as const) {
  test(`${model} at ${density * 100}% trains the same on dense and sparse kernels (${opt})`, () => {
    const a = masked(model, density);
    const b = masked(model, density);
    const la = trainFew(a, 'dense', 8, opt);
    const lb = trainFew(b, 'sparse', 8, opt);
    for (let i = 0; i < la.length; i++)
      assert.ok(Math.abs(la[i]! - lb[i]!) < 1e-3 * (1 + Math.abs(la[i]!)), `step ${i}: ${la[i]} vs ${lb[i]}`);
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
      assert.ok(c.dense_median_ms! >= c.dense_ms! && c.sparse_median_ms! >= c.sparse_ms!);
      // The faster kernel of the layer alone, unless the whole step ran faster with fewer sparse layers (it says so).
      if (c.note) assert.match(c.note, /whole step faster (all-dense|with only)/);
      else assert.equal(c.kernel, c.sparse_ms! < c.dense_ms! ? 'sparse' : 'dense');
    }
    const cache = JSON.parse(fs.readFileSync(process.env.TICKETLAB_KERNEL_CACHE, 'utf8')) as Record<string, unknown>;
    const keys = Object.keys(cache);
    assert.equal(keys.filter((k) => /:linear:/.test(k)).length, 3);
    assert.ok(
      keys.every((k) => k.startsWith(`v6:${native.info().simd}:`)),
      'keys name the build',
    );
    // A whole-step check is stored when any layer picked sparse.
    assert.equal(keys.filter((k) => /:step:/.test(k)).length, first.some((c) => c.sparse_ms! < c.dense_ms!) ? 1 : 0);
    assert.deepEqual(chooseKernels(m, 60, 'auto', 3), first, 'cached: same choices and timings');
    const conv = masked('cifar_conv_2', 0.05);
    const convChoices = chooseKernels(conv, 4, 'auto', 2);
    assert.ok(convChoices.some((c) => c.layer === 'conv2' && c.dense_ms !== null));
    // forcing a policy
    assert.ok(chooseKernels(m, 60, 'sparse').every((c) => c.kernel === 'sparse'));
    assert.ok(
      chooseKernels(createModel('mnist_lenet_300_100'), 60, 'sparse').every((c) => c.kernel === 'dense'),
      'unmasked layers stay dense',
    );
    const out = noGrad(() => m.forward(Tensor.zeros([2, 1, 28, 28])));
    assert.deepEqual(out.shape, [2, 10]);
  } finally {
    if (prev === undefined) delete process.env.TICKETLAB_KERNEL_CACHE;
    else process.env.TICKETLAB_KERNEL_CACHE = prev;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** The cache file as an object, and a writer. */
function cacheFileIO(): { read: () => Record<string, Record<string, unknown>>; write: (c: object) => void } {
  const file = process.env.TICKETLAB_KERNEL_CACHE!;
  return {
    read: () => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>,
    write: (c) => fs.writeFileSync(file, JSON.stringify(c)),
  };
}

test('the dispatcher keeps dense (or only some layers sparse) when the whole step says so, and re-times a choice against the density order', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-kcache-'));
  const prev = process.env.TICKETLAB_KERNEL_CACHE;
  process.env.TICKETLAB_KERNEL_CACHE = path.join(dir, 'k.json');
  try {
    const io = cacheFileIO();
    const m = masked('mnist_lenet_300_100', 0.02);
    chooseKernels(m, 60, 'auto', 2);
    const cache = io.read();
    const layerKeys = Object.keys(cache).filter((k) => /:linear:/.test(k));
    // Every layer cached as sparse, and the whole step cached as faster all-dense: the layers go dense, with a note.
    for (const k of layerKeys) cache[k] = { ...cache[k], kind: 'layer', kernel: 'sparse', dense_ms: 2, sparse_ms: 1 };
    delete cache[Object.keys(cache).find((k) => /:step:/.test(k)) ?? ''];
    io.write(cache);
    const probe = chooseKernels(masked('mnist_lenet_300_100', 0.02), 60, 'auto', 2);
    assert.ok(probe.every((c) => c.kernel === 'sparse' || c.note !== undefined));
    const stepKey = Object.keys(io.read()).find((k) => /:step:/.test(k))!;
    io.write({ ...io.read(), [stepKey]: { kind: 'step', use: 'dense', layers_ms: 2, dense_ms: 1 } });
    const m2 = masked('mnist_lenet_300_100', 0.02);
    const overridden = chooseKernels(m2, 60, 'auto', 2);
    assert.ok(overridden.every((c) => c.kernel === 'dense'));
    assert.ok(overridden.every((c) => /whole step faster all-dense \(1 ms against 2 ms\)/.test(c.note ?? '')));
    assert.ok(
      m2.prunableParameters().every(([, p]) => !p.packed),
      'dense layers are unpacked',
    );
    // The whole step cached as faster with fc1 alone sparse: fc1 keeps its pick, the others go dense with a note.
    const fc1Key = layerKeys.find((k) => k.includes('300x784'))!;
    io.write({
      ...io.read(),
      [stepKey]: { kind: 'step', use: 'some', sparse: [fc1Key], layers_ms: 2, dense_ms: 1.5, some_ms: 1 },
    });
    const partial = chooseKernels(masked('mnist_lenet_300_100', 0.02), 60, 'auto', 2);
    assert.deepEqual(
      partial.map((c) => c.kernel),
      ['sparse', 'dense', 'dense'],
    );
    assert.match(partial[1]!.note ?? '', /whole step faster with only fc1 sparse \(1 ms against 2 ms/);
    assert.equal(partial[0]!.note, undefined);
    // fc1 cached as sparse at this mask while a sparser fc1 mask was cached dense: timed again, once.
    const fc1 = layerKeys.find((k) => k.includes('300x784'))!;
    const sparser = fc1.replace(/nnz\d+/, 'nnz10');
    io.write({ ...io.read(), [sparser]: { ...io.read()[fc1], kernel: 'dense' } });
    chooseKernels(masked('mnist_lenet_300_100', 0.02), 60, 'auto', 2);
    assert.equal(io.read()[fc1]!.retimed, true);
    const after = io.read()[fc1];
    chooseKernels(masked('mnist_lenet_300_100', 0.02), 60, 'auto', 2);
    assert.deepEqual(io.read()[fc1], after, 'a re-timed entry is kept');
  } finally {
    if (prev === undefined) delete process.env.TICKETLAB_KERNEL_CACHE;
    else process.env.TICKETLAB_KERNEL_CACHE = prev;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('sparse kernels pack their weights: gradients and optimizer state hold the non-zeros only', () => {
  const m = masked('mnist_lenet_300_100', 0.035);
  const masksBefore = new Map(m.prunableParameters().map(([n, p]) => [n, p.mask!.slice()]));
  const opt = new Adam(m.parameters(), { lr: 1e-3 });
  chooseKernels(m, 8, 'sparse');
  const rng = new Rng(5, 'sparse-test-data');
  const x = new Tensor(rng.fillNormal(new Float32Array(8 * 784)), [8, 1, 28, 28]);
  const y = Int32Array.from({ length: 8 }, () => rng.int(10));
  for (let s = 0; s < 3; s++) {
    opt.zeroGrad();
    backward(ops.softmaxCrossEntropy(m.forward(x), y));
    opt.step();
  }
  for (const [name, p] of m.prunableParameters()) {
    assert.ok(p.packed, `${name} packed`);
    assert.equal(p.maskBytes, 0, `${name} released its dense mask`);
    assert.equal(p.storage.length, p.active!.length);
    assert.equal(p.grad!.length, p.active!.length, `${name} gradient is packed`);
  }
  const mem = trainingMemory(m, opt);
  const prunable = m.prunableParameters().reduce((s, [, p]) => s + p.size, 0);
  const nnz = m.prunableParameters().reduce((s, [, p]) => s + p.active!.length, 0);
  const biases = m
    .parameters()
    .filter((p) => !p.prunable)
    .reduce((s, p) => s + p.size, 0);
  // values, gradients and Adam's two moments: 16 bytes per stored value, none for pruned weights
  assert.equal(mem.weights + mem.gradients + mem.optimizer, 16 * (nnz + biases));
  assert.ok(mem.weights + mem.gradients + mem.optimizer < 0.06 * mem.denseEquivalent, JSON.stringify(mem));
  assert.equal(mem.denseEquivalent, 16 * (prunable + biases));
  for (const [name, p] of m.prunableParameters())
    assert.deepEqual(p.mask, masksBefore.get(name), `${name} mask rebuilt on request`);
  // reading the dense values unpacks (always correct) and the optimizer follows the storage back
  const dense = m.prunableParameters()[0]![1];
  const before = dense.denseCopy();
  assert.deepEqual(dense.data, before);
  assert.ok(!dense.packed);
  opt.zeroGrad();
  backward(ops.softmaxCrossEntropy(m.forward(x), y));
  opt.step();
  for (let j = 0; j < dense.size; j++) if (dense.mask![j] === 0) assert.ok(Object.is(dense.data[j], 0));
});

test('a packed model saves and restores like a dense one and resumes bit-identically', () => {
  const rng = new Rng(5, 'sparse-test-data');
  const x = new Tensor(rng.fillNormal(new Float32Array(8 * 784)), [8, 1, 28, 28]);
  const y = Int32Array.from({ length: 8 }, () => rng.int(10));
  const run = (m: Model, o: Adam | SGD, steps: number) => {
    for (let s = 0; s < steps; s++) {
      o.zeroGrad();
      backward(ops.softmaxCrossEntropy(m.forward(x), y));
      o.step();
    }
  };
  for (const make of [
    (ps: ReturnType<Model['parameters']>) => new Adam(ps, { lr: 1e-3 }),
    (ps: ReturnType<Model['parameters']>) => new SGD(ps, { lr: 0.05, momentum: 0.9 }),
  ]) {
    const a = masked('mnist_lenet_300_100', 0.05);
    const oa = make(a.parameters());
    chooseKernels(a, 8, 'sparse');
    run(a, oa, 3);
    const modelState = a.stateDict();
    const optState = oa.stateDict();
    for (const [n, v] of modelState)
      assert.equal(v.length, a.namedParameters().find(([k]) => k === n)![1].size, `${n} saved dense`);
    run(a, oa, 3);

    const b = masked('mnist_lenet_300_100', 0.05);
    const ob = make(b.parameters());
    chooseKernels(b, 8, 'sparse');
    b.loadStateDict(modelState);
    ob.loadStateDict(optState);
    assert.ok(
      b.prunableParameters().every(([, p]) => p.packed),
      'loading keeps weights packed',
    );
    run(b, ob, 3);
    for (const [n, v] of a.stateDict()) assert.deepEqual(b.stateDict().get(n), v, `${n} after resume`);
  }
});

test('sparse linear kernels match double-precision sums on wide layers (several column blocks, batch chunks)', () => {
  // The kernels visit a row's non-zeros in blocks of input features sized to L1 (kernels/sparse.cc): check layers
  // wide and dense enough for several blocks, a sparse one that runs in one, and a batch over 128 (chunked), against
  // sums in double precision.
  const rng = new Rng(4, 'sparse-blocks');
  for (const [Out, In, N, d, withDx] of [
    [300, 784, 60, 0.5, false],
    [300, 784, 60, 0.02, false],
    [100, 300, 60, 0.8, true],
    [64, 700, 200, 0.4, true],
    [64, 700, 200, 0.4, false],
  ] as const) {
    const csr = ops.csrFromMask(
      Float32Array.from({ length: Out * In }, () => (rng.uniform() < d ? 1 : 0)),
      Out,
      In,
    );
    const nnz = csr.flat.length;
    const val = rng.fillNormal(new Float32Array(nnz));
    const b = rng.fillNormal(new Float32Array(Out));
    const xT = rng.fillNormal(new Float32Array(In * N));
    const dyT = rng.fillNormal(new Float32Array(Out * N));
    const yT = new Float32Array(Out * N);
    const dxT = withDx ? new Float32Array(In * N) : null;
    const dv = new Float32Array(nnz);
    const db = new Float32Array(Out);
    native.sparseLinearForward(csr.rowPtr, csr.colIdx, val, b, xT, yT, Out, In, N);
    native.sparseLinearBackward(csr.rowPtr, csr.colIdx, val, xT, dyT, dxT, dv, db, Out, In, N, false);
    const y = new Float64Array(Out * N);
    const dx = new Float64Array(In * N);
    const near = (got: number, want: number, what: string) =>
      assert.ok(Math.abs(got - want) <= 1e-4 * (1 + Math.abs(want)), `${Out}x${In} d=${d} ${what}: ${got} vs ${want}`);
    for (let i = 0; i < Out; i++) {
      for (let n = 0; n < N; n++) y[i * N + n] = b[i]!;
      let dbi = 0;
      for (let n = 0; n < N; n++) dbi += dyT[i * N + n]!;
      near(db[i]!, dbi, `dBias[${i}]`);
      for (let k = csr.rowPtr[i]!; k < csr.rowPtr[i + 1]!; k++) {
        const j = csr.colIdx[k]!;
        let g = 0;
        for (let n = 0; n < N; n++) {
          y[i * N + n]! += val[k]! * xT[j * N + n]!;
          dx[j * N + n]! += val[k]! * dyT[i * N + n]!;
          g += dyT[i * N + n]! * xT[j * N + n]!;
        }
        near(dv[k]!, g, `dValues[${k}]`);
      }
    }
    for (let i = 0; i < y.length; i++) near(yT[i]!, y[i]!, `y[${i}]`);
    if (dxT) for (let i = 0; i < dx.length; i++) near(dxT[i]!, dx[i]!, `dx[${i}]`);
    // Without an input gradient the weight gradient's sums run four at a time; each must come out bit for bit as
    // it does alone (with an input gradient), whatever its neighbours hold.
    const dvOther = new Float32Array(nnz);
    const otherDx = withDx ? null : new Float32Array(In * N);
    native.sparseLinearBackward(csr.rowPtr, csr.colIdx, val, xT, dyT, otherDx, dvOther, null, Out, In, N, false);
    assert.deepEqual(dvOther, dv, `${Out}x${In} d=${d}: weight gradient with and without the input gradient`);
  }
});

test('sparse kernels split across threads give the single-thread results', () => {
  const rng = new Rng(3, 'sparse-threads');
  const rand = (n: number) => rng.fillNormal(new Float32Array(n));
  const maskOf = (n: number, d: number) => Float32Array.from({ length: n }, () => (rng.uniform() < d ? 1 : 0));
  const close = (a: Float32Array, b: Float32Array, what: string) => {
    assert.equal(a.length, b.length);
    for (let i = 0; i < a.length; i++)
      assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-4 * (1 + Math.abs(a[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  };
  const prev = native.info().threads;
  try {
    // linear: 200x300 at 30%, batch 64 (well above the threading threshold), and a small one that stays serial
    for (const [Out, In, N, d] of [
      [200, 300, 64, 0.3],
      [20, 30, 8, 0.3],
    ] as const) {
      const csr = ops.csrFromMask(maskOf(Out * In, d), Out, In);
      const nnz = csr.flat.length;
      const val = rand(nnz),
        b = rand(Out),
        xT = rand(In * N),
        dyT = rand(Out * N);
      const results = [1, 2].map((threads) => {
        native.setThreads(threads);
        const yT = new Float32Array(Out * N),
          dxT = new Float32Array(In * N),
          dv = new Float32Array(nnz),
          db = new Float32Array(Out);
        native.sparseLinearForward(csr.rowPtr, csr.colIdx, val, b, xT, yT, Out, In, N);
        native.sparseLinearBackward(csr.rowPtr, csr.colIdx, val, xT, dyT, dxT, dv, db, Out, In, N, false);
        return { yT, dxT, dv, db };
      });
      for (const k of ['yT', 'dxT', 'dv', 'db'] as const)
        close(results[0]![k], results[1]![k], `linear ${Out}x${In} ${k}`);
    }
    // conv: 16 images of 8x16x16, 16 output channels, 3x3 at 50%, padding 1 (~1.2M multiply-adds: threaded)
    const [N, C, H, W, O, K, pad] = [16, 8, 16, 16, 16, 3, 1];
    const csr = ops.csrFromMask(maskOf(O * C * K * K, 0.5), O, C * K * K);
    const nnz = csr.flat.length;
    const val = rand(nnz),
      b = rand(O),
      x = rand(N * C * H * W),
      dy = rand(N * O * H * W);
    const results = [1, 2].map((threads) => {
      native.setThreads(threads);
      const y = new Float32Array(N * O * H * W),
        dx = new Float32Array(N * C * H * W),
        dv = new Float32Array(nnz),
        db = new Float32Array(O);
      native.sparseConv2dForward(csr.rowPtr, csr.colIdx, N, C, H, W, O, K, pad, val, b, x, y);
      native.sparseConv2dBackward(csr.rowPtr, csr.colIdx, N, C, H, W, O, K, pad, val, x, dy, dx, dv, db, false);
      return { y, dx, dv, db };
    });
    for (const k of ['y', 'dx', 'dv', 'db'] as const) close(results[0]![k], results[1]![k], `conv ${k}`);
  } finally {
    native.setThreads(prev);
  }
});

test('a lottery level on sparse kernels keeps its weights packed from start to end', async () => {
  const { runLottery } = await import('../src/lottery/runner.js');
  const { lotteryDefaults } = await import('../src/hparams/defaults.js');
  const { Parameter } = await import('../src/nn/parameter.js');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-packed-level-'));
  const unpack = Parameter.prototype.unpack;
  const unpackedAt: number[] = [];
  let step = 0;
  Parameter.prototype.unpack = function (this: InstanceType<typeof Parameter>) {
    if (this.packed) unpackedAt.push(step);
    unpack.call(this);
  };
  try {
    const h = lotteryDefaults('mnist_lenet_300_100');
    h.training.steps = '120it';
    h.training.evalEvery = '50it'; // evaluations and a checkpoint inside each level
    h.dataset.validation = 0;
    await runLottery({
      hparams: h,
      levels: 2,
      replicate: 1,
      seed: 0,
      root,
      branches: [],
      checkpointEvery: 60,
      kernels: 'sparse',
      onStep: () => step++,
    });
    // three layers unpack once at each of the two level boundaries (a new mask), never during a level
    assert.deepEqual(unpackedAt, [120, 120, 120, 240, 240, 240]);
  } finally {
    Parameter.prototype.unpack = unpack;
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('bad input to the packed and indexed paths is a clear error, not a bad write', () => {
  const w = new Float32Array(4),
    g = new Float32Array(4),
    m = new Float32Array(4),
    v = new Float32Array(4);
  assert.throws(
    () => native.adamStepIndexed(w, g, m, v, Int32Array.of(0, 4), 2, 1e-3, 0.9, 0.999, 1e-8, 0, false, 1),
    /adamStepIndexed: index out of range/,
  );
  assert.throws(
    () => native.sgdStepIndexed(w, g, null, Int32Array.of(-1), 1, 0.1, 0, 0, 0, false, true),
    /sgdStepIndexed: index out of range/,
  );
  assert.throws(
    () => native.sgdStepIndexed(w, g, null, Int32Array.of(0), 1, 0.1, 0.9, 0, 0, false, true),
    /momentum needs a buffer/,
  );
  assert.throws(() => ops.csrFromIndices(Int32Array.of(3, 2), 2, 2), /indices must ascend/);
  const unmasked = createModel('mnist_lenet_100_50').prunableParameters()[0]![1];
  assert.throws(() => unmasked.pack(), /only a masked weight can be packed/);
});

test('evaluation gathers batches feature-major for a sparse fc1 and scores exactly as batch-major input does', () => {
  const m = masked('mnist_lenet_300_100', 0.05);
  chooseKernels(m, 60, 'sparse');
  assert.equal(m.inputLayout(), 'feature');
  const { test: data } = loadMnist();
  const few = data.subset(Int32Array.from({ length: 2500 }, (_, i) => i * 4));
  const direct = evaluate(m, few, crossEntropy, 1000); // batches of 1000, 1000 and 500
  // The same network seen as a plain Module gets batch-major batches, transposed by the sparse layer itself.
  class Plain extends Module {
    constructor(readonly net: Model) {
      super();
      this.addModule('net', net);
    }
    forward(x: Tensor): Tensor {
      return this.net.forward(x);
    }
  }
  assert.deepEqual(evaluate(new Plain(m), few, crossEntropy, 1000), direct);
  assert.equal(direct.examples, 2500);
  assert.ok(direct.accuracy! > 0 && direct.accuracy! < 1 && Number.isFinite(direct.loss));
});

test('the kernel watch alternates chosen and dense blocks on real steps and keeps the faster', async () => {
  const { kernelWatch } = await import('../src/training/kernel-watch.js');
  const { switchableLayers } = await import('../src/nn/kernel-timing.js');
  const layout = (m: Model) => switchableLayers(m).map(([, l]) => l.kernel);
  for (const denseFaster of [true, false])
    withFreshKernelCache(() => {
      const m = masked('mnist_lenet_100_50', 0.05);
      const kernels = chooseKernels(m, 8, 'sparse');
      const o = { warmup: 2, block: 3, blocks: 4 };
      let watch = kernelWatch(m, () => kernels, 100, o);
      watch.start!(100, false);
      const seen: string[][] = [];
      for (let step = 100; step < 100 + 2 + 12; step++) {
        seen.push(layout(m));
        const dense = layout(m).every((k) => k === 'dense');
        // Each block's first step pays for the switch: a huge time there must not count.
        const first = step >= 102 && (step - 102) % 3 === 0;
        const ms = first ? 50 : dense === denseFaster ? 1 : 2;
        watch.afterStep!({ step: step + 1, loss: 0, lr: 0, seconds: ms / 1e3 });
        if (step === 106) {
          // A checkpoint here resumes the watch where it was.
          const saved = JSON.parse(JSON.stringify(watch.state!()));
          watch = kernelWatch(m, () => kernels, 100, o);
          watch.restore!(saved);
          watch.start!(107, true);
        }
      }
      const sparse = ['sparse', 'sparse', 'sparse'];
      const dense = ['dense', 'dense', 'dense'];
      // warm-up and even blocks on the chosen kernels, odd blocks dense
      assert.deepEqual(seen, [sparse, sparse, ...[sparse, dense, sparse, dense].flatMap((k) => [k, k, k])]);
      assert.deepEqual(layout(m), denseFaster ? dense : sparse);
      for (const c of kernels) {
        assert.match(
          c.real_steps ?? '',
          /real steps: (2|1)\.000 ms as chosen, (1|2)\.000 ms all-dense \(medians of 4 and 4\)/,
        );
        assert.equal(c.kernel, denseFaster ? 'dense' : 'sparse');
        if (denseFaster) assert.match(c.note ?? '', /switched to dense/);
      }
    });
});

test('the kernel watch checks close dense calls against their sparse alternative', async () => {
  const { kernelWatch } = await import('../src/training/kernel-watch.js');
  const { switchableLayers } = await import('../src/nn/kernel-timing.js');
  const layout = (m: Model) => switchableLayers(m).map(([, l]) => l.kernel);
  const o = { warmup: 2, block: 3, blocks: 4 };
  // A watch over steps timed `fast` ms on the sparse alternative and `slow` ms on the chosen dense kernels.
  const watchOnce = (m: Model, kernels: KernelChoice[], sparseMs: number, denseMs: number) => {
    const watch = kernelWatch(m, () => kernels, 0, o);
    watch.start!(0, false);
    const seen: string[][] = [];
    for (let step = 0; step < 2 + 12; step++) {
      seen.push(layout(m));
      const first = step >= 2 && (step - 2) % 3 === 0;
      const ms = first ? 50 : layout(m)[0] === 'sparse' ? sparseMs : denseMs;
      watch.afterStep!({ step: step + 1, loss: 0, lr: 0, seconds: ms / 1e3 });
    }
    return seen;
  };
  // Every layer picked dense; fc1 and fc2 timed within 25% on sparse (close calls), fc3 twice as slow.
  const closeCalls = (m: Model) =>
    chooseKernels(m, 8, 'dense').map((c) => ({ ...c, dense_ms: 1, sparse_ms: c.layer === 'fc3' ? 2 : 1.2 }));
  for (const sparseFaster of [true, false])
    withFreshKernelCache(() => {
      const m = masked('mnist_lenet_100_50', 0.3);
      const kernels = closeCalls(m);
      const seen = watchOnce(m, kernels, sparseFaster ? 1 : 2, sparseFaster ? 2 : 1);
      const dense = ['dense', 'dense', 'dense'];
      const close = ['sparse', 'sparse', 'dense'];
      assert.deepEqual(seen, [dense, dense, ...[dense, close, dense, close].flatMap((k) => [k, k, k])]);
      assert.deepEqual(layout(m), sparseFaster ? close : dense);
      for (const c of kernels.filter((k) => k.layer !== 'fc3')) {
        assert.match(c.real_steps ?? '', /ms as chosen, (1|2)\.000 ms with fc1, fc2 sparse \(medians of 4 and 4\)/);
        assert.equal(c.kernel, sparseFaster ? 'sparse' : 'dense');
        if (sparseFaster) assert.match(c.note ?? '', /switched to sparse/);
      }
      assert.equal(kernels.find((k) => k.layer === 'fc3')!.real_steps, undefined);
      // A rerun of the same choices on this machine keeps the cached verdict, whatever its own clock says, so it
      // trains on the same kernels (bit-identical reruns).
      const again = masked('mnist_lenet_100_50', 0.3);
      const rerun = closeCalls(again);
      watchOnce(again, rerun, sparseFaster ? 5 : 1, sparseFaster ? 1 : 5);
      assert.deepEqual(layout(again), sparseFaster ? close : dense);
      assert.equal(rerun[0]!.real_steps, kernels[0]!.real_steps);
    });
  // Dense picks with no close call leave nothing to check.
  const m = masked('mnist_lenet_100_50', 0.3);
  const far = chooseKernels(m, 8, 'dense').map((c) => ({ ...c, dense_ms: 1, sparse_ms: 1.5 }));
  const seen = watchOnce(m, far, 1, 2);
  assert.ok(seen.every((l) => l.every((k) => k === 'dense')));
  assert.ok(far.every((c) => c.real_steps === undefined && c.kernel === 'dense'));
});
