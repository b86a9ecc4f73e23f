// Kernel behaviour beyond single values: float64 cross-entropy on confident rows, the embedding gradient's row
// bookkeeping across steps and tied weights, and threaded kernels giving the same bits as one thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../src/engine/tensor.js';
import { Rng } from '../src/engine/rng.js';
import * as ops from '../src/engine/ops/index.js';
import { noGrad } from '../src/engine/autograd.js';
import { native } from '../src/engine/native.js';
import { randomTensor } from './helpers/gradcheck.js';

function close(actual: Float32Array, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++)
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)), `${what}[${i}]`);
}

test('float64 cross-entropy keeps the gradient of a confident row that float32 rounds away', () => {
  const z = Tensor.from([20, 0, 0, 0], [1, 4], true);
  const grads = [false, true].map((float64) => {
    z.grad = null;
    const loss = ops.crossEntropy(z, Int32Array.of(0), { float64 });
    loss.gradFn!.backward(Float32Array.of(1));
    return { loss: loss.item(), g: z.grad!.slice() };
  });
  assert.equal(grads[0]!.loss, 0);
  assert.equal(grads[0]!.g[0], 0);
  const p = Math.exp(-20);
  assert.ok(Math.abs(grads[1]!.loss - 3 * p) < 1e-6 * 3 * p);
  assert.ok(Math.abs(grads[1]!.g[0]! + 3 * p) < 1e-5 * 3 * p, `dz0 ${grads[1]!.g[0]}`);
  assert.ok(Math.abs(grads[1]!.g[1]! - p) < 1e-6 * p);
});

test('embedding gradient: only the used rows are written, and it equals a full scatter-add every step', () => {
  const r = new Rng(31, 'embedding-rows');
  const [V, D] = [40, 3];
  const table = randomTensor(r, [V, D]);
  const dense = (steps: [Int32Array, Float32Array][]): Float64Array => {
    const want = new Float64Array(V * D);
    for (const [idx, g] of steps)
      idx.forEach((row, i) => g.subarray(i * D, i * D + D).forEach((v, j) => (want[row * D + j]! += v)));
    return want;
  };
  for (let step = 0; step < 6; step++) {
    table.zeroGrad();
    const lookups: [Int32Array, Float32Array][] = [];
    for (let k = 0; k < 1 + (step % 2); k++) {
      const idx = Int32Array.from({ length: 7 }, () => Math.floor(r.uniform() * (step < 3 ? V : 8)));
      const g = r.fillNormal(new Float32Array(7 * D));
      ops.embedding(idx, table).gradFn!.backward(g);
      lookups.push([idx, g]);
    }
    close(table.grad!, dense(lookups), 1e-6, `step ${step}`);
    assert.ok(table.gradRows && table.gradRows.length <= 14, 'the rows written are tracked');
  }
  // Tied weights (an output layer reading the same table) write the whole gradient: either order stays exact.
  for (const embeddingFirst of [true, false]) {
    table.zeroGrad();
    const idx = Int32Array.of(1, 2, 2);
    const g = r.fillNormal(new Float32Array(3 * D));
    const x = randomTensor(r, [4, D], 1, false);
    const gy = r.fillNormal(new Float32Array(4 * V));
    const viaLinear = () => ops.linear(x, table).gradFn!.backward(gy);
    const viaEmbedding = () => ops.embedding(idx, table).gradFn!.backward(g);
    if (embeddingFirst) [viaEmbedding, viaLinear].forEach((f) => f());
    else [viaLinear, viaEmbedding].forEach((f) => f());
    const want = dense([[idx, g]]);
    for (let n = 0; n < 4; n++)
      for (let v = 0; v < V; v++) for (let j = 0; j < D; j++) want[v * D + j]! += gy[n * V + v]! * x.data[n * D + j]!;
    close(table.grad!, want, 1e-5, `tied, embedding first: ${embeddingFirst}`);
    assert.equal(table.gradRows, null, 'a dense write makes the rows unknown');
  }
});

test('threaded attention, batched matmul and cross-entropy give the same bits as one thread', () => {
  const r = new Rng(41, 'threads');
  const q = randomTensor(r, [8, 64, 64]);
  const k = randomTensor(r, [8, 64, 64]);
  const logits = randomTensor(r, [256, 4096]);
  const targets = Int32Array.from({ length: 256 }, (_, i) => (i % 7 === 0 ? -100 : (i * 37) % 4096));
  const run = (threads: number) => {
    native.setThreads(threads);
    try {
      for (const t of [q, k, logits]) t.grad = null;
      const a = ops.attention(q, k, k, { heads: 4, causal: true });
      a.gradFn!.backward(new Float32Array(a.size).fill(1));
      const loss = ops.crossEntropy(logits, targets);
      loss.gradFn!.backward(Float32Array.of(1));
      const m = noGrad(() => ops.bmm(q, k, { transB: true }));
      return [a.data, q.grad!, k.grad!, Float32Array.of(loss.item()), logits.grad!, m.data].map((x) => x.slice());
    } finally {
      native.setThreads(1);
    }
  };
  const one = run(1);
  const two = run(2);
  one.forEach((x, i) => assert.deepEqual(two[i], x, `output ${i}`));
});
