// Native convolution and pooling kernels against naive TypeScript loops (float64) on small random inputs at awkward
// sizes: odd heights and widths, rows that are not a multiple of the 16-lane vectors, channel counts around the
// register-tile sizes, stride 2, padding 0-3, 1x1 / 3x3 / 5x5 / non-square kernels. Runs every conv case with the
// direct kernels (where the build has them) and with im2col + GEMM, on both GEMM backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/engine/rng.js';
import { native } from '../src/engine/native.js';

interface ConvCase {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  KH: number;
  KW: number;
  stride: number;
  pad: number;
}

const rng = new Rng(11, 'conv-kernels');

function randn(n: number): Float32Array {
  return rng.fillNormal(new Float32Array(n));
}

function outSize(size: number, k: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - k) / stride) + 1;
}

interface Ref {
  value: Float64Array;
  /** Sum of |terms| per element: the scale of float32 rounding error. */
  scale: Float64Array;
}

function refForward(c: ConvCase, x: Float32Array, w: Float32Array, b: Float32Array | null): Ref {
  const { N, C, H, W, O, KH, KW, stride, pad } = c;
  const OH = outSize(H, KH, stride, pad),
    OW = outSize(W, KW, stride, pad);
  const value = new Float64Array(N * O * OH * OW),
    scale = new Float64Array(value.length);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let s = b ? b[o]! : 0,
            a = b ? Math.abs(b[o]!) : 0;
          for (let ci = 0; ci < C; ci++)
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++) {
                const ih = oh * stride - pad + kh,
                  iw = ow * stride - pad + kw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const t = w[((o * C + ci) * KH + kh) * KW + kw]! * x[((n * C + ci) * H + ih) * W + iw]!;
                s += t;
                a += Math.abs(t);
              }
          const i = ((n * O + o) * OH + oh) * OW + ow;
          value[i] = s;
          scale[i] = a;
        }
  return { value, scale };
}

function refBackward(c: ConvCase, x: Float32Array, w: Float32Array, dy: Float32Array): { dx: Ref; dw: Ref; db: Ref } {
  const { N, C, H, W, O, KH, KW, stride, pad } = c;
  const OH = outSize(H, KH, stride, pad),
    OW = outSize(W, KW, stride, pad);
  const mk = (n: number): Ref => ({ value: new Float64Array(n), scale: new Float64Array(n) });
  const dx = mk(x.length),
    dw = mk(w.length),
    db = mk(O);
  const add = (r: Ref, i: number, t: number): void => {
    r.value[i] += t;
    r.scale[i] += Math.abs(t);
  };
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const g = dy[((n * O + o) * OH + oh) * OW + ow]!;
          add(db, o, g);
          for (let ci = 0; ci < C; ci++)
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++) {
                const ih = oh * stride - pad + kh,
                  iw = ow * stride - pad + kw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const xi = ((n * C + ci) * H + ih) * W + iw,
                  wi = ((o * C + ci) * KH + kh) * KW + kw;
                add(dx, xi, g * w[wi]!);
                add(dw, wi, g * x[xi]!);
              }
        }
  return { dx, dw, db };
}

function assertClose(what: string, got: Float32Array, ref: Ref, base?: Float32Array): void {
  assert.equal(got.length, ref.value.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const want = ref.value[i]! + (base ? base[i]! : 0);
    // float32 accumulation error scales with the sum of |terms|; NaN (an element never written) always fails
    const tol = 1e-5 * (ref.scale[i]! + (base ? Math.abs(base[i]!) : 0)) + 1e-6;
    const err = Math.abs(got[i]! - want);
    if (!(err <= tol)) assert.fail(`${what}: element ${i} is ${got[i]}, expected ${want} (|diff| ${err} > ${tol})`);
  }
}

const CASES: ConvCase[] = [
  // the benchmark's layer shapes, smaller batch
  { N: 2, C: 3, H: 32, W: 32, O: 64, KH: 3, KW: 3, stride: 1, pad: 1 },
  { N: 2, C: 20, H: 16, W: 16, O: 24, KH: 3, KW: 3, stride: 1, pad: 1 },
  // odd sizes, widths that leave partial vectors (9, 17, 33, 35, 50, 70), channel counts around tile sizes
  { N: 2, C: 3, H: 9, W: 17, O: 5, KH: 3, KW: 3, stride: 1, pad: 0 },
  { N: 1, C: 5, H: 11, W: 33, O: 19, KH: 5, KW: 5, stride: 1, pad: 2 },
  { N: 2, C: 16, H: 7, W: 35, O: 17, KH: 3, KW: 3, stride: 1, pad: 1 },
  { N: 1, C: 4, H: 5, W: 50, O: 70, KH: 3, KW: 3, stride: 1, pad: 1 },
  { N: 1, C: 2, H: 6, W: 70, O: 13, KH: 3, KW: 2, stride: 1, pad: 1 },
  { N: 1, C: 1, H: 13, W: 9, O: 1, KH: 1, KW: 1, stride: 1, pad: 0 },
  { N: 2, C: 6, H: 8, W: 8, O: 33, KH: 1, KW: 1, stride: 1, pad: 0 },
  { N: 1, C: 3, H: 10, W: 9, O: 3, KH: 1, KW: 1, stride: 1, pad: 1 }, // padding wider than the kernel
  { N: 1, C: 7, H: 9, W: 20, O: 6, KH: 3, KW: 3, stride: 1, pad: 3 },
  { N: 1, C: 3, H: 12, W: 19, O: 8, KH: 5, KW: 5, stride: 1, pad: 0 },
  // reductions long enough (C*KH*KW > 256) for the AVX2 kernels to split them into channel chunks
  { N: 1, C: 41, H: 5, W: 21, O: 13, KH: 3, KW: 3, stride: 1, pad: 1 },
  { N: 1, C: 30, H: 4, W: 40, O: 7, KH: 3, KW: 3, stride: 1, pad: 1 },
  // narrow images (the direct kernels tile the flattened padded grid)
  { N: 2, C: 8, H: 8, W: 8, O: 9, KH: 3, KW: 3, stride: 1, pad: 1 },
  { N: 2, C: 7, H: 16, W: 16, O: 20, KH: 3, KW: 3, stride: 1, pad: 1 },
  { N: 1, C: 5, H: 4, W: 4, O: 7, KH: 3, KW: 3, stride: 1, pad: 1 },
  { N: 1, C: 3, H: 6, W: 13, O: 4, KH: 5, KW: 5, stride: 1, pad: 2 },
  { N: 2, C: 6, H: 1, W: 30, O: 5, KH: 1, KW: 3, stride: 1, pad: 0 },
  // stride 2 and narrow images (im2col + GEMM everywhere)
  { N: 2, C: 3, H: 9, W: 11, O: 4, KH: 3, KW: 3, stride: 2, pad: 1 },
  { N: 1, C: 5, H: 13, W: 12, O: 7, KH: 5, KW: 5, stride: 2, pad: 2 },
  { N: 2, C: 4, H: 7, W: 7, O: 3, KH: 1, KW: 1, stride: 2, pad: 0 },
  { N: 2, C: 3, H: 7, W: 6, O: 4, KH: 3, KW: 3, stride: 1, pad: 1 },
  { N: 1, C: 2, H: 5, W: 5, O: 3, KH: 5, KW: 5, stride: 3, pad: 2 },
];

function runConvCases(label: string, cases = CASES): void {
  for (const c of cases) {
    const { N, C, H, W, O, KH, KW, stride, pad } = c;
    const OH = outSize(H, KH, stride, pad),
      OW = outSize(W, KW, stride, pad);
    const name = `${label} N${N} C${C} ${H}x${W} O${O} k${KH}x${KW} s${stride} p${pad}`;
    const x = randn(N * C * H * W),
      w = randn(O * C * KH * KW),
      b = randn(O),
      dy = randn(N * O * OH * OW);

    const y = new Float32Array(N * O * OH * OW).fill(Number.NaN); // every element must be written
    native.conv2dForward(x, w, b, y, N, C, H, W, O, KH, KW, stride, pad);
    assertClose(`${name} forward`, y, refForward(c, x, w, b));
    y.fill(Number.NaN);
    native.conv2dForward(x, w, null, y, N, C, H, W, O, KH, KW, stride, pad);
    assertClose(`${name} forward (no bias)`, y, refForward(c, x, w, null));

    const ref = refBackward(c, x, w, dy);
    const dx = new Float32Array(x.length).fill(Number.NaN);
    native.conv2dBackwardData(dy, w, dx, N, C, H, W, O, KH, KW, stride, pad);
    assertClose(`${name} backward data`, dx, ref.dx);

    const dw = new Float32Array(w.length).fill(Number.NaN),
      db = new Float32Array(O).fill(Number.NaN);
    native.conv2dBackwardFilter(dy, x, dw, db, N, C, H, W, O, KH, KW, stride, pad, false);
    assertClose(`${name} backward filter`, dw, ref.dw);
    assertClose(`${name} backward bias`, db, ref.db);
    const dw0 = randn(w.length),
      db0 = randn(O);
    const dwAcc = dw0.slice(),
      dbAcc = db0.slice();
    native.conv2dBackwardFilter(dy, x, dwAcc, dbAcc, N, C, H, W, O, KH, KW, stride, pad, true);
    assertClose(`${name} backward filter (accumulate)`, dwAcc, ref.dw, dw0);
    assertClose(`${name} backward bias (accumulate)`, dbAcc, ref.db, db0);
    const dwOnly = dw0.slice();
    native.conv2dBackwardFilter(dy, x, dwOnly, null, N, C, H, W, O, KH, KW, stride, pad, true);
    assertClose(`${name} backward filter (no bias)`, dwOnly, ref.dw, dw0);
  }
}

for (const backend of ['openblas', 'fallback'] as const) {
  for (const algo of ['auto', 'im2col'] as const) {
    test(`conv2d kernels vs naive loops (${algo}, ${backend} GEMM)`, (t) => {
      if (backend === 'openblas' && !native.info().compiledWithOpenBLAS) return t.skip('built without OpenBLAS');
      native.setGemmBackend(backend);
      const prev = native.conv2dSetAlgorithm(algo);
      try {
        runConvCases(`${algo}/${backend}`);
      } finally {
        native.conv2dSetAlgorithm(prev);
        native.setGemmBackend(native.info().compiledWithOpenBLAS ? 'openblas' : 'fallback');
      }
    });
  }
}

test('conv2d kernels with several threads', () => {
  const prev = native.info().threads;
  native.setThreads(3);
  try {
    // large enough (> 4e7 flops) for the direct kernels to split the batch over threads
    runConvCases('3 threads', [
      { N: 7, C: 16, H: 32, W: 32, O: 32, KH: 3, KW: 3, stride: 1, pad: 1 },
      { N: 5, C: 8, H: 18, W: 33, O: 21, KH: 5, KW: 5, stride: 1, pad: 2 },
    ]);
  } finally {
    native.setThreads(prev);
  }
});

test('conv2d algorithm switch', () => {
  const prev = native.conv2dSetAlgorithm('im2col');
  try {
    const none = { forward: false, backwardData: false, backwardFilter: false };
    assert.deepEqual(native.conv2dUsesDirect(2, 3, 32, 32, 64, 3, 3, 1, 1), none);
    native.conv2dSetAlgorithm('auto');
    // stride 2 always goes through im2col; stride 1 on a wide image uses the direct kernels when the build has them
    // (16 input channels: AVX2 builds send backward-data with fewer than 4 over a long reduction to im2col)
    assert.deepEqual(native.conv2dUsesDirect(2, 3, 32, 32, 64, 3, 3, 2, 1), none);
    const wide = native.conv2dUsesDirect(2, 16, 32, 32, 64, 3, 3, 1, 1);
    assert.ok(wide.forward === wide.backwardData && wide.forward === wide.backwardFilter, JSON.stringify(wide));
    assert.throws(() => native.conv2dSetAlgorithm('winograd' as 'auto'), /must be 'auto' or 'im2col'/);
  } finally {
    native.conv2dSetAlgorithm(prev);
  }
});

// ---- pooling

interface PoolCase {
  N: number;
  C: number;
  H: number;
  W: number;
  k: number;
  stride: number;
  pad: number;
}

const POOLS: PoolCase[] = [
  { N: 2, C: 3, H: 32, W: 32, k: 2, stride: 2, pad: 0 }, // the 2x2 fast path, whole vectors
  { N: 1, C: 2, H: 9, W: 35, k: 2, stride: 2, pad: 0 }, // odd sizes: a row and a column in no window, vector tail
  { N: 2, C: 1, H: 6, W: 66, k: 2, stride: 2, pad: 0 },
  { N: 1, C: 2, H: 5, W: 5, k: 2, stride: 2, pad: 0 },
  { N: 1, C: 2, H: 9, W: 11, k: 3, stride: 2, pad: 1 },
  { N: 2, C: 2, H: 8, W: 7, k: 2, stride: 1, pad: 1 },
  { N: 1, C: 3, H: 10, W: 13, k: 3, stride: 3, pad: 0 },
  { N: 1, C: 1, H: 7, W: 7, k: 5, stride: 2, pad: 2 },
];

/** PyTorch's rule: scan the window row by row, take the first element, then anything larger, or any NaN. */
function refMaxPool(c: PoolCase, x: Float32Array): { y: Float32Array; idx: Int32Array } {
  const { N, C, H, W, k, stride, pad } = c;
  const OH = outSize(H, k, stride, pad),
    OW = outSize(W, k, stride, pad);
  const y = new Float32Array(N * C * OH * OW),
    idx = new Int32Array(y.length);
  for (let p = 0; p < N * C; p++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        let best = -Infinity,
          bi = -1;
        for (let kh = 0; kh < k; kh++)
          for (let kw = 0; kw < k; kw++) {
            const ih = oh * stride - pad + kh,
              iw = ow * stride - pad + kw;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            const v = x[p * H * W + ih * W + iw]!;
            if (bi < 0 || v > best || Number.isNaN(v)) [best, bi] = [v, ih * W + iw];
          }
        y[(p * OH + oh) * OW + ow] = best;
        idx[(p * OH + oh) * OW + ow] = bi;
      }
  return { y, idx };
}

function poolInput(c: PoolCase, special: boolean): Float32Array {
  const x = randn(c.N * c.C * c.H * c.W);
  if (special) {
    // ties (first one wins), NaNs (last one wins), infinities and signed zeros
    for (let i = 0; i < x.length; i++) {
      const r = rng.int(12);
      if (r === 0) x[i] = 0.5;
      else if (r === 1) x[i] = Number.NaN;
      else if (r === 2) x[i] = -Infinity;
      else if (r === 3) x[i] = -0;
      else if (r === 4) x[i] = 0;
    }
  }
  return x;
}

test('max pooling kernels vs naive loops (ties, NaN, infinities)', () => {
  for (const c of POOLS)
    for (const special of [false, true]) {
      const { N, C, H, W, k, stride, pad } = c;
      const name = `maxPool N${N} C${C} ${H}x${W} k${k} s${stride} p${pad}${special ? ' special values' : ''}`;
      const OH = outSize(H, k, stride, pad),
        OW = outSize(W, k, stride, pad);
      const x = poolInput(c, special);
      const want = refMaxPool(c, x);
      const y = new Float32Array(N * C * OH * OW).fill(7),
        idx = new Int32Array(y.length).fill(-7);
      native.maxPool2dForward(x, y, idx, N, C, H, W, k, stride, pad);
      assert.deepEqual(idx, want.idx, `${name}: argmax`);
      for (let i = 0; i < y.length; i++)
        assert.ok(Object.is(y[i], want.y[i]), `${name}: y[${i}] = ${y[i]}, expected ${want.y[i]}`);

      const g = randn(y.length);
      if (special) g[0] = -0;
      const dx = new Float32Array(x.length).fill(Number.NaN);
      native.maxPool2dBackward(g, idx, dx, N, C, H, W, k, stride, pad);
      const wantDx = new Float32Array(x.length);
      for (let p = 0; p < N * C; p++)
        for (let o = 0; o < OH * OW; o++) wantDx[p * H * W + idx[p * OH * OW + o]!]! += g[p * OH * OW + o]!;
      for (let i = 0; i < dx.length; i++)
        assert.ok(Object.is(dx[i], wantDx[i]), `${name}: dx[${i}] = ${dx[i]}, expected ${wantDx[i]}`);
    }
});

test('max pooling backward with argmax outside its window falls back to the scatter', () => {
  const [N, C, H, W] = [1, 1, 4, 36];
  const OH = 2,
    OW = 18;
  const g = randn(N * C * OH * OW);
  const idx = new Int32Array(OH * OW);
  for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) idx[oh * OW + ow] = 2 * oh * W + 2 * ow;
  idx[3] = 0; // two windows route their gradient to element 0
  const dx = new Float32Array(H * W).fill(Number.NaN);
  native.maxPool2dBackward(g, idx, dx, N, C, H, W, 2, 2, 0);
  const want = new Float32Array(H * W);
  for (let o = 0; o < OH * OW; o++) want[idx[o]!]! += g[o]!;
  assert.deepEqual(dx, want);
  idx[5] = H * W; // out of range is still an error
  assert.throws(() => native.maxPool2dBackward(g, idx, dx, N, C, H, W, 2, 2, 0), /argmax index out of range/);
});

test('average pooling kernels vs naive loops', () => {
  for (const c of POOLS) {
    const { N, C, H, W, k, stride, pad } = c;
    const name = `avgPool N${N} C${C} ${H}x${W} k${k} s${stride} p${pad}`;
    const OH = outSize(H, k, stride, pad),
      OW = outSize(W, k, stride, pad);
    const x = randn(N * C * H * W),
      g = randn(N * C * OH * OW);
    const y = new Float32Array(g.length).fill(Number.NaN),
      dx = new Float32Array(x.length).fill(Number.NaN);
    native.avgPool2dForward(x, y, N, C, H, W, k, stride, pad);
    native.avgPool2dBackward(g, dx, N, C, H, W, k, stride, pad);
    const wantY = new Float64Array(y.length),
      wantDx = new Float64Array(x.length);
    for (let p = 0; p < N * C; p++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const o = (p * OH + oh) * OW + ow;
          for (let ih = Math.max(0, oh * stride - pad); ih < Math.min(H, oh * stride - pad + k); ih++)
            for (let iw = Math.max(0, ow * stride - pad); iw < Math.min(W, ow * stride - pad + k); iw++) {
              wantY[o] += x[p * H * W + ih * W + iw]! / (k * k);
              wantDx[p * H * W + ih * W + iw] += g[o]! / (k * k);
            }
        }
    for (let i = 0; i < y.length; i++) assert.ok(Math.abs(y[i]! - wantY[i]!) <= 1e-5, `${name}: y[${i}]`);
    for (let i = 0; i < dx.length; i++) assert.ok(Math.abs(dx[i]! - wantDx[i]!) <= 1e-5, `${name}: dx[${i}]`);
  }
});
