// Typed view of the native compute core (native/ workspace package). All arrays are owned by TypeScript;
// kernels read and write them in place without copies.
import { createRequire } from 'node:module';
import type { SparseKernels } from './native-sparse.js';
import type { TransformerKernels } from './native-transformer.js';

export interface NativeInfo {
  gemm: 'openblas' | 'fallback';
  compiledWithOpenBLAS: boolean;
  threads: number;
  blasConfig: string;
  /** Vector width of the hand-written kernels: AVX-512, AVX2 + FMA, or none (generic loops). */
  simd: 'avx512' | 'avx2' | 'none';
}

type F = Float32Array;
type I = Int32Array;

export interface NativeCore extends SparseKernels, TransformerKernels {
  info(): NativeInfo;
  setThreads(n: number): void;
  /** One core's vector FMA throughput in GFLOPS (0 without vector kernels): the ceiling benchmarks compare with. */
  fmaPeakGflops(): number;
  setGemmBackend(name: 'openblas' | 'fallback'): void;
  gemm(tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, A: F, B: F, beta: number, C: F): void;
  linearForward(x: F, w: F, b: F | null, y: F, N: number, In: number, Out: number): void;
  linearBackward(
    dy: F,
    x: F,
    w: F,
    dx: F | null,
    dw: F | null,
    db: F | null,
    N: number,
    In: number,
    Out: number,
    accumulate: boolean,
  ): void;
  /** 'im2col' forces im2col + GEMM for every convolution (tests, comparisons); returns the previous setting. */
  conv2dSetAlgorithm(name: 'auto' | 'im2col'): 'auto' | 'im2col';
  /** Which passes of this convolution shape run on the direct kernels now. */
  conv2dUsesDirect(
    N: number,
    C: number,
    H: number,
    W: number,
    O: number,
    KH: number,
    KW: number,
    stride: number,
    pad: number,
  ): { forward: boolean; backwardData: boolean; backwardFilter: boolean };
  conv2dForward(
    x: F,
    w: F,
    b: F | null,
    y: F,
    N: number,
    C: number,
    H: number,
    W: number,
    O: number,
    KH: number,
    KW: number,
    stride: number,
    pad: number,
  ): void;
  conv2dBackwardData(
    dy: F,
    w: F,
    dx: F,
    N: number,
    C: number,
    H: number,
    W: number,
    O: number,
    KH: number,
    KW: number,
    stride: number,
    pad: number,
  ): void;
  conv2dBackwardFilter(
    dy: F,
    x: F,
    dw: F,
    db: F | null,
    N: number,
    C: number,
    H: number,
    W: number,
    O: number,
    KH: number,
    KW: number,
    stride: number,
    pad: number,
    accumulate: boolean,
  ): void;
  depthwiseConv2dForward(
    x: F,
    w: F,
    b: F | null,
    y: F,
    N: number,
    C: number,
    H: number,
    W: number,
    k: number,
    stride: number,
    pad: number,
  ): void;
  depthwiseConv2dBackwardData(
    dy: F,
    w: F,
    dx: F,
    N: number,
    C: number,
    H: number,
    W: number,
    k: number,
    stride: number,
    pad: number,
  ): void;
  depthwiseConv2dBackwardFilter(
    dy: F,
    x: F,
    dw: F,
    db: F | null,
    N: number,
    C: number,
    H: number,
    W: number,
    k: number,
    stride: number,
    pad: number,
    accumulate: boolean,
  ): void;
  maxPool2dForward(
    x: F,
    y: F,
    argmax: I,
    N: number,
    C: number,
    H: number,
    W: number,
    k: number,
    stride: number,
    pad: number,
  ): void;
  maxPool2dBackward(
    dy: F,
    argmax: I,
    dx: F,
    N: number,
    C: number,
    H: number,
    W: number,
    k: number,
    stride: number,
    pad: number,
  ): void;
  avgPool2dForward(
    x: F,
    y: F,
    N: number,
    C: number,
    H: number,
    W: number,
    k: number,
    stride: number,
    pad: number,
  ): void;
  avgPool2dBackward(
    dy: F,
    dx: F,
    N: number,
    C: number,
    H: number,
    W: number,
    k: number,
    stride: number,
    pad: number,
  ): void;
  batchNormForward(
    x: F,
    gamma: F,
    beta: F,
    y: F,
    mean: F,
    invstd: F,
    runMean: F,
    runVar: F,
    N: number,
    C: number,
    HW: number,
    training: boolean,
    momentum: number,
    eps: number,
  ): void;
  batchNormBackward(
    dy: F,
    x: F,
    gamma: F,
    mean: F,
    invstd: F,
    dx: F | null,
    dgamma: F,
    dbeta: F,
    N: number,
    C: number,
    HW: number,
    training: boolean,
    accumulate: boolean,
  ): void;
  reluForward(x: F, y: F, n: number): void;
  reluBackward(dy: F, y: F, dx: F, n: number): void;
  add(a: F, b: F, out: F, n: number): void;
  axpy(alpha: number, x: F, y: F, n: number): void;
  mul(a: F, b: F, out: F, n: number): void;
  scale(x: F, alpha: number, out: F, n: number): void;
  sum(x: F, n: number): number;
  dropoutForward(x: F, y: F, mask: F, n: number, p: number, seed: number): void;
  embeddingForward(table: F, idx: I, out: F, V: number, D: number, n: number): void;
  embeddingBackward(dout: F, idx: I, dtable: F, V: number, D: number, n: number, accumulate: boolean): void;
  softmaxCrossEntropyForward(logits: F, labels: I, probs: F, N: number, C: number): number;
  softmaxCrossEntropyBackward(probs: F, labels: I, dlogits: F, N: number, C: number, gradOut: number): void;
  countCorrect(logits: F, labels: I, N: number, C: number): number;
  /**
   * Two-sample KS count gaps of matching rows of two matrices given as raw bytes (dtype 0 f32, 1 f16, 2 bf16):
   * counts[r] = max_x |#{a_r <= x} - #{b_r <= x}|. Returns -1, or 2*row + side of the first non-finite value.
   */
  ksRowCounts(a: Uint8Array, b: Uint8Array, rows: number, dim: number, dtype: number, counts: I): number;
  mseForward(pred: F, target: F, n: number): number;
  mseBackward(pred: F, target: F, dpred: F, n: number, gradOut: number): void;
  sgdStep(
    w: F,
    g: F,
    buf: F | null,
    mask: F | null,
    n: number,
    lr: number,
    momentum: number,
    dampening: number,
    weightDecay: number,
    nesterov: boolean,
    firstStep: boolean,
  ): void;
  adamStep(
    w: F,
    g: F,
    m: F,
    v: F,
    mask: F | null,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    decoupled: boolean,
    step: number,
  ): void;
  gatherU8(
    src: Uint8Array,
    idx: I,
    rowLen: number,
    n: number,
    scale: number,
    shift: number,
    out: F,
    featureMajor: boolean,
  ): void;
  kthSmallest(values: F, k: number): number;
}

const require = createRequire(import.meta.url);
export const native: NativeCore = require('@ticketlab/native') as NativeCore;
