// The native core's CSR kernels and the optimizer updates indexed by a mask's non-zeros (part of NativeCore, see
// native.ts). All arrays are owned by TypeScript; kernels read and write them in place.
type F = Float32Array;
type I = Int32Array;

export interface SparseKernels {
  sparseConv2dForward(
    rowPtr: I,
    colIdx: I,
    N: number,
    C: number,
    H: number,
    W: number,
    O: number,
    K: number,
    pad: number,
    values: F,
    bias: F | null,
    x: F,
    y: F,
  ): void;
  sparseConv2dBackward(
    rowPtr: I,
    colIdx: I,
    N: number,
    C: number,
    H: number,
    W: number,
    O: number,
    K: number,
    pad: number,
    values: F,
    x: F,
    dy: F,
    dx: F | null,
    dValues: F | null,
    dBias: F | null,
    accumulate: boolean,
  ): void;
  sparseLinearForward(
    rowPtr: I,
    colIdx: I,
    values: F,
    bias: F | null,
    xT: F,
    yT: F,
    Out: number,
    In: number,
    N: number,
  ): void;
  sparseLinearBackward(
    rowPtr: I,
    colIdx: I,
    values: F,
    xT: F,
    dyT: F,
    dxT: F | null,
    dValues: F | null,
    dBias: F | null,
    Out: number,
    In: number,
    N: number,
    accumulate: boolean,
  ): void;
  gatherIndexed(src: F, idx: I, dst: F, n: number): void;
  scatterIndexed(src: F, idx: I, dst: F, n: number, accumulate: boolean): void;
  transpose(src: F, dst: F, rows: number, cols: number): void;
  adamStepIndexed(
    w: F,
    g: F,
    m: F,
    v: F,
    idx: I,
    nIdx: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    decoupled: boolean,
    step: number,
  ): void;
  sgdStepIndexed(
    w: F,
    g: F,
    buf: F | null,
    idx: I,
    nIdx: number,
    lr: number,
    momentum: number,
    dampening: number,
    weightDecay: number,
    nesterov: boolean,
    firstStep: boolean,
  ): void;
}
