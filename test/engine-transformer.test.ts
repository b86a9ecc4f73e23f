// The sequence-model ops against finite differences and against plain double-precision loops: batched matmul,
// attention, layer norm, GELU, softmax, cross-entropy over sequences, positions, 3-D linear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../src/engine/tensor.js';
import { Rng } from '../src/engine/rng.js';
import * as ops from '../src/engine/ops/index.js';
import { noGrad } from '../src/engine/autograd.js';
import { native } from '../src/engine/native.js';
import { gradCheck, randomTensor } from './helpers/gradcheck.js';
import { referenceAttention } from './helpers/reference-attention.js';
import type { AttentionOptions } from '../src/engine/ops/attention.js';

const rng = new Rng(11, 'transformer-grad-tests');

function close(actual: Float32Array, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++)
    assert.ok(
      Math.abs(actual[i]! - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)),
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
}

function onBackend(backend: 'openblas' | 'fallback', t: { skip: (m: string) => void }, body: () => void): void {
  if (backend === 'openblas' && !native.info().compiledWithOpenBLAS) return t.skip('built without OpenBLAS');
  native.setGemmBackend(backend);
  try {
    body();
  } finally {
    native.setGemmBackend(native.info().compiledWithOpenBLAS ? 'openblas' : 'fallback');
  }
}

for (const backend of ['openblas', 'fallback'] as const) {
  test(`bmm with every transpose (${backend})`, (t) =>
    onBackend(backend, t, () => {
      for (const transA of [false, true])
        for (const transB of [false, true]) {
          const [B, M, K, N] = [3, 4, 5, 2];
          const a = randomTensor(rng, transA ? [B, K, M] : [B, M, K]);
          const b = randomTensor(rng, transB ? [B, N, K] : [B, K, N]);
          const y = noGrad(() => ops.bmm(a, b, { transA, transB }));
          const want = new Float64Array(B * M * N);
          for (let s = 0; s < B; s++)
            for (let i = 0; i < M; i++)
              for (let j = 0; j < N; j++)
                for (let k = 0; k < K; k++)
                  want[(s * M + i) * N + j]! +=
                    a.data[s * M * K + (transA ? k * M + i : i * K + k)]! *
                    b.data[s * K * N + (transB ? j * K + k : k * N + j)]!;
          close(y.data, want, 1e-5, `bmm ${transA} ${transB}`);
          gradCheck(`bmm tA=${transA} tB=${transB}`, [a, b], () => ops.bmm(a, b, { transA, transB }));
        }
    }));

  test(`attention: values and gradients, causal and padded (${backend})`, (t) =>
    onBackend(backend, t, () => {
      const cases: [string, number, number, number, number, AttentionOptions][] = [
        ['plain', 2, 5, 5, 6, { heads: 2 }],
        ['causal', 2, 5, 5, 6, { heads: 3, causal: true }],
        ['lengths', 2, 4, 6, 4, { heads: 1, keyPadding: { lengths: [6, 2] } }],
        ['mask + causal', 2, 5, 5, 8, { heads: 2, causal: true, keyPadding: { mask: [1, 0, 1, 1, 0, 1, 1, 1, 1, 1] } }],
        ['scale', 1, 3, 4, 4, { heads: 2, scale: 0.7 }],
      ];
      for (const [name, B, Sq, Sk, D, opts] of cases) {
        const q = randomTensor(rng, [B, Sq, D]);
        const k = randomTensor(rng, [B, Sk, D]);
        const v = randomTensor(rng, [B, Sk, D]);
        const y = noGrad(() => ops.attention(q, k, v, opts));
        close(y.data, referenceAttention(q, k, v, opts), 1e-5, `attention ${name}`);
        gradCheck(`attention ${name}`, [q, k, v], () => ops.attention(q, k, v, opts));
      }
    }));

  test(`linear over [B, S, In] inputs (${backend})`, (t) =>
    onBackend(backend, t, () => {
      const x = randomTensor(rng, [2, 3, 5]);
      const w = randomTensor(rng, [4, 5]);
      const b = randomTensor(rng, [4]);
      const y = noGrad(() => ops.linear(x, w, b));
      assert.deepEqual(y.shape, [2, 3, 4]);
      close(y.data, noGrad(() => ops.linear(ops.reshape(x, [6, 5]), w, b)).data, 0, 'rows');
      gradCheck('linear 3-D', [x, w, b], () => ops.linear(x, w, b));
      assert.throws(() => ops.linear(x, randomTensor(rng, [4, 6])), /linear: input \[2, 3, 5\] does not match/);
    }));
}

test('attention: a query that sees no key gets zeros and no gradient', () => {
  const q = randomTensor(rng, [2, 3, 4]);
  const k = randomTensor(rng, [2, 3, 4]);
  const v = randomTensor(rng, [2, 3, 4]);
  const opts = { heads: 2, keyPadding: { lengths: [0, 3] } };
  const y = noGrad(() => ops.attention(q, k, v, opts));
  for (let i = 0; i < 12; i++) assert.equal(y.data[i], 0);
  gradCheck('attention all padded', [q, k, v], () => ops.attention(q, k, v, opts));
  assert.throws(() => ops.attention(q, k, v, { heads: 3 }), /3 heads do not divide the model width 4/);
  assert.throws(() => ops.attention(q, k, v, { heads: 2, keyPadding: { lengths: [4, 1] } }), /key length 4/);
  assert.throws(() => ops.attention(q, k, v, { heads: 2, keyPadding: { mask: [1, 0.5, 1, 1, 1, 1] } }), /0 or 1/);
});

test('layer norm: values and gradients, with and without gamma and beta', () => {
  const x = randomTensor(rng, [2, 3, 7], 3);
  for (let i = 0; i < x.size; i++) x.data[i]! += 5; // a large mean
  const g = randomTensor(rng, [7]);
  const b = randomTensor(rng, [7]);
  const y = noGrad(() => ops.layerNorm(x, g, b, 1e-5));
  const want: number[] = [];
  for (let r = 0; r < 6; r++) {
    const row = Array.from(x.data.subarray(r * 7, r * 7 + 7));
    const mu = row.reduce((s, v) => s + v, 0) / 7;
    const variance = row.reduce((s, v) => s + (v - mu) ** 2, 0) / 7;
    row.forEach((v, j) => want.push(((v - mu) / Math.sqrt(variance + 1e-5)) * g.data[j]! + b.data[j]!));
  }
  close(y.data, want, 1e-5, 'layerNorm');
  gradCheck('layerNorm', [x, g, b], () => ops.layerNorm(x, g, b), { eps: 1e-2, rtol: 3e-2 });
  gradCheck('layerNorm without affine', [x], () => ops.layerNorm(x, null, null));
  gradCheck('layerNorm gamma only', [x, g], () => ops.layerNorm(x, g, null));
});

function erf(x: number): number {
  // Maclaurin series: exact to ~1e-9 for |x| <= 4, plenty for a float32 kernel.
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

test('GELU: tanh approximation and exact form against their formulas, and gradients', () => {
  const x = Tensor.from(Array.from({ length: 81 }, (_, i) => -4 + i * 0.1));
  const tanhForm = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
  const exact = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));
  close(noGrad(() => ops.gelu(x, 'tanh')).data, Array.from(x.data, tanhForm), 2e-6, 'gelu tanh');
  close(noGrad(() => ops.gelu(x, 'none')).data, Array.from(x.data, exact), 2e-6, 'gelu erf');
  assert.ok(Math.abs(noGrad(() => ops.gelu(Tensor.from([1]))).item() - 0.841192) < 1e-6); // PyTorch, tanh
  const big = noGrad(() => ops.gelu(Tensor.from([-100, 100, 30, -30]))).data;
  assert.deepEqual(Array.from(big), [-0, 100, 30, -0]);
  const r = randomTensor(rng, [3, 17], 2);
  gradCheck('gelu tanh', [r], () => ops.gelu(r, 'tanh'));
  gradCheck('gelu erf', [r], () => ops.gelu(r, 'none'));
});

test('softmax and log-softmax over the last axis (float32 and float64)', () => {
  const x = randomTensor(rng, [2, 3, 9], 3);
  const y = noGrad(() => ops.softmax(x));
  const l = noGrad(() => ops.logSoftmax(x));
  for (let r = 0; r < 6; r++) {
    const row = Array.from(x.data.subarray(r * 9, r * 9 + 9));
    const mx = Math.max(...row);
    const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
    close(
      y.data.subarray(r * 9, r * 9 + 9),
      row.map((v) => Math.exp(v - lse)),
      1e-6,
      'softmax',
    );
    close(
      l.data.subarray(r * 9, r * 9 + 9),
      row.map((v) => v - lse),
      1e-6,
      'logSoftmax',
    );
  }
  gradCheck('softmax', [x], () => ops.softmax(x));
  gradCheck('logSoftmax', [x], () => ops.logSoftmax(x));
  gradCheck('logSoftmax float64', [x], () => ops.logSoftmax(x, { float64: true }));
  // A confident row: float32 rounds log p to 0, float64 keeps it.
  const c = Tensor.from([30, 0, 0]);
  assert.equal(noGrad(() => ops.logSoftmax(c)).data[0], 0);
  const l0 = noGrad(() => ops.logSoftmax(c, { float64: true })).data[0]!;
  assert.ok(Math.abs(l0 + 2 * Math.exp(-30)) < 1e-6 * 2 * Math.exp(-30), `log p = ${l0}`);
});

test('cross-entropy over [B, S, V] with ignored positions, float32 and float64', () => {
  const [B, S, V] = [2, 3, 7];
  const z = randomTensor(rng, [B, S, V], 2);
  for (const [ignoreIndex, targets] of [
    [-100, Int32Array.of(1, -100, 6, 0, 3, -100)],
    [0, Int32Array.of(1, 0, 6, 0, 3, 2)],
  ] as const) {
    let sum = 0;
    let n = 0;
    targets.forEach((t, r) => {
      if (t === ignoreIndex) return;
      const row = Array.from(z.data.subarray(r * V, r * V + V));
      const mx = Math.max(...row);
      sum += mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0)) - row[t]!;
      n++;
    });
    for (const float64 of [false, true]) {
      const loss = noGrad(() => ops.crossEntropy(z, targets, { ignoreIndex, float64 })).item();
      assert.ok(Math.abs(loss - sum / n) < 1e-6, `ignore ${ignoreIndex} f64 ${float64}: ${loss} vs ${sum / n}`);
      gradCheck(`crossEntropy ignore ${ignoreIndex} f64 ${float64}`, [z], () =>
        ops.crossEntropy(z, targets, { ignoreIndex, float64 }),
      );
    }
  }
  assert.ok(Number.isNaN(noGrad(() => ops.crossEntropy(z, new Int32Array(6).fill(-100))).item()));
  const huge = Tensor.from([1000, 0, -1000, 1e4, 1e4 - 1, 0], [1, 2, 3]);
  for (const float64 of [false, true]) {
    const l = noGrad(() => ops.crossEntropy(huge, Int32Array.of(0, 1), { float64 })).item();
    assert.ok(Math.abs(l - (1 + Math.log(1 + Math.exp(-1))) / 2) < 1e-5, `huge logits, f64 ${float64}: ${l}`);
  }
  const p = noGrad(() => ops.softmax(huge)).data;
  close(p, [1, 0, 0, 1 / (1 + Math.exp(-1)), Math.exp(-1) / (1 + Math.exp(-1)), 0], 1e-6, 'softmax of huge logits');
  assert.throws(() => ops.crossEntropy(z, Int32Array.of(0, 1, 2, 7, 0, 0)), /target 7 out of range \[0, 7\)/);
  assert.throws(() => ops.crossEntropy(z, Int32Array.of(0, 1)), /2 targets for 6 rows/);
});

test('position embeddings: the sinusoidal table, and adding a learned table with its gradient', () => {
  const t = ops.sinusoidalTable(5, 6);
  assert.equal(t.requiresGrad, false);
  for (let p = 0; p < 5; p++)
    for (let i = 0; i < 3; i++) {
      const a = p / Math.pow(10000, (2 * i) / 6);
      assert.ok(Math.abs(t.data[p * 6 + 2 * i]! - Math.sin(a)) < 1e-6);
      assert.ok(Math.abs(t.data[p * 6 + 2 * i + 1]! - Math.cos(a)) < 1e-6);
    }
  const x = randomTensor(rng, [2, 3, 4]);
  const learned = randomTensor(rng, [5, 4]);
  gradCheck('addPositions', [x, learned], () => ops.addPositions(x, learned, 2));
  const y = noGrad(() => ops.addPositions(x, ops.sinusoidalTable(3, 4)));
  assert.ok(Math.abs(y.data[12 + 4 + 1]! - (x.data[12 + 4 + 1]! + Math.cos(1))) < 1e-6);
  assert.throws(() => ops.addPositions(x, learned, 3), /positions 3..5 outside a table of 5/);
});
