// GEMM against a naive double-precision reference, for both backends, every transpose combination and
// awkward sizes (edges of the fallback's blocking, empty dimensions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { native } from '../src/engine/native.js';
import { Rng } from '../src/engine/rng.js';

function naive(
  tA: boolean,
  tB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: Float32Array,
  B: Float32Array,
  beta: number,
  C: Float32Array,
): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (tA ? A[k * M + i]! : A[i * K + k]!) * (tB ? B[j * K + k]! : B[k * N + j]!);
      out[i * N + j] = alpha * s + (beta === 0 ? 0 : beta * C[i * N + j]!);
    }
  return out;
}

const backends = native.info().compiledWithOpenBLAS ? (['openblas', 'fallback'] as const) : (['fallback'] as const);
const defaultBackend = native.info().compiledWithOpenBLAS ? 'openblas' : 'fallback';

// With 2 threads the large cases are split by rows ([64, 513, 129]) and by columns ([20, 700, 300]).
for (const backend of backends)
  for (const threads of [1, 2]) {
    test(`gemm matches the reference (${backend}, ${threads} thread${threads > 1 ? 's' : ''})`, () => {
      native.setGemmBackend(backend);
      const prevThreads = native.info().threads;
      native.setThreads(threads);
      try {
        const rng = new Rng(11, 'gemm');
        for (const [M, N, K] of [
          [1, 1, 1],
          [3, 5, 7],
          [17, 130, 33],
          [64, 513, 129],
          [20, 700, 300],
          [2, 600, 3],
          [0, 4, 5],
          [4, 3, 0],
        ] as const)
          for (const tA of [false, true])
            for (const tB of [false, true])
              for (const [alpha, beta] of [
                [1, 0],
                [0.5, 1],
                [2, -0.5],
              ] as const) {
                const A = rng.fillNormal(new Float32Array(M * K));
                const B = rng.fillNormal(new Float32Array(K * N));
                const C = rng.fillNormal(new Float32Array(M * N));
                const want = naive(tA, tB, M, N, K, alpha, A, B, beta, C);
                native.gemm(tA, tB, M, N, K, alpha, A, B, beta, C);
                for (let i = 0; i < M * N; i++)
                  assert.ok(
                    Math.abs(C[i]! - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!)) * Math.sqrt(K + 1),
                    `${backend} ${M}x${N}x${K} tA=${tA} tB=${tB} [${i}]: ${C[i]} vs ${want[i]}`,
                  );
              }
      } finally {
        native.setGemmBackend(defaultBackend);
        native.setThreads(prevThreads);
      }
    });
  }

test('native kernels reject arrays too small for the dimensions', () => {
  assert.throws(
    () => native.gemm(false, false, 4, 4, 4, 1, new Float32Array(15), new Float32Array(16), 0, new Float32Array(16)),
    /gemm: A has 15 elements, needs 16/,
  );
  assert.throws(
    () => native.linearForward(new Float32Array(6), new Float32Array(6), null, new Float32Array(3), 2, 3, 2),
    /y has 3 elements, needs 4/,
  );
  assert.throws(() => native.setGemmBackend('mkl' as 'openblas'), /must be 'openblas' or 'fallback'/);
});

test('native kernels reject infinite and out-of-range integers', () => {
  const f = (n: number) => new Float32Array(n);
  assert.throws(
    () => native.conv2dForward(f(64), f(9), null, f(64), 1, 1, 8, 8, 1, 3, 3, Infinity, 1),
    /conv2dForward: stride must be an integer/,
  );
  assert.throws(
    () => native.gemm(false, false, 2 ** 64, 4, 4, 1, f(16), f(16), 0, f(16)),
    /gemm: M must be an integer/,
  );
});

test('the native loss gradient rejects a label outside the classes instead of writing past the rows', () => {
  const grad = (label: number) =>
    native.softmaxCrossEntropyBackward(new Float32Array(6), Int32Array.of(0, label), new Float32Array(6), 2, 3, 1);
  assert.throws(() => grad(1 << 26), /softmaxCrossEntropyBackward: label 67108864 out of range \[0, 3\)/);
  assert.throws(() => grad(-1), /label -1 out of range/);
  grad(2);
});

test('info reports the backend and threads', () => {
  const info = native.info();
  assert.ok(info.gemm === 'openblas' || info.gemm === 'fallback');
  assert.equal(info.compiledWithOpenBLAS, info.blasConfig.startsWith('OpenBLAS'));
  native.setThreads(2);
  assert.equal(native.info().threads, 2);
  native.setThreads(1);
  assert.equal(native.info().threads, 1);
});

test('kernels flush subnormals inside, and leave JavaScript arithmetic IEEE afterwards', () => {
  // A 1e-20 gradient squared is 1e-40 in float: subnormal, so flushed to zero inside the kernel.
  const w = Float32Array.of(1),
    g = Float32Array.of(1e-20),
    m = new Float32Array(1),
    v = new Float32Array(1);
  native.adamStep(w, g, m, v, null, 1, 1e-3, 0.9, 0.999, 1e-8, 0, false, 1);
  if (process.arch === 'x64') assert.equal(v[0], 0); // flushing is implemented for x86 (native/src/kernels/denormals.h)
  // doubles on the calling thread still keep subnormals
  const tiny = Number(process.env.TL_NEVER_SET ?? '5e-324');
  assert.equal(tiny * 1, 5e-324);
  assert.ok(tiny / 2 === 0 && tiny * 2 > tiny);
  const f = new Float32Array(1);
  f[0] = Number(process.env.TL_NEVER_SET ?? '1e-40'); // float32 subnormal stored from JS
  assert.ok(f[0]! > 0);
});

test("the core's FMA peak is measured where vector kernels exist (0 where they do not)", () => {
  const peak = native.fmaPeakGflops();
  if (native.info().simd === 'none') return assert.equal(peak, 0);
  // Only sanity (no timing assertions in tests): a finite rate above a GFLOPS, well under any core's 1 TFLOPS.
  assert.ok(Number.isFinite(peak) && peak > 1 && peak < 1000, `peak ${peak} GFLOPS`);
});

test('threaded kernels called back to back match one thread (a late worker never holds up or corrupts a job)', () => {
  // GEMM hands its blocks out to whichever thread is free, the sparse backward pass gives each thread a fixed share;
  // a job that starts while a worker is still leaving the last one runs on the calling thread. Alternate them fast.
  const rng = new Rng(12, 'threads-back-to-back');
  const [M, N, K] = [60, 300, 784];
  const a = rng.fillNormal(new Float32Array(M * K));
  const b = rng.fillNormal(new Float32Array(K * N));
  const mask = Float32Array.from({ length: N * K }, () => (rng.uniform() < 0.3 ? 1 : 0));
  let nnz = 0;
  const rowPtr = new Int32Array(N + 1);
  const cols: number[] = [];
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < K; j++) if (mask[i * K + j]) cols.push(j);
    rowPtr[i + 1] = nnz = cols.length;
  }
  const colIdx = Int32Array.from(cols);
  const val = rng.fillNormal(new Float32Array(nnz));
  const dyT = rng.fillNormal(new Float32Array(N * M));
  const xT = rng.fillNormal(new Float32Array(K * M));
  const run = () => {
    const c = new Float32Array(M * N);
    native.gemm(false, false, M, N, K, 1, a, b, 0, c);
    const dxT = new Float32Array(K * M);
    const dv = new Float32Array(nnz);
    native.sparseLinearBackward(rowPtr, colIdx, val, xT, dyT, dxT, dv, null, N, K, M, false);
    return [c, dxT, dv];
  };
  const prev = native.info().threads;
  try {
    native.setThreads(1);
    const want = run();
    native.setThreads(2);
    for (let rep = 0; rep < 300; rep++) {
      const got = run();
      for (let k = 0; k < want.length; k++)
        for (let i = 0; i < want[k]!.length; i += 7)
          assert.ok(
            Math.abs(got[k]![i]! - want[k]![i]!) <= 1e-4 * (1 + Math.abs(want[k]![i]!)),
            `rep ${rep} [${k}][${i}]`,
          );
    }
  } finally {
    native.setThreads(prev);
  }
});
