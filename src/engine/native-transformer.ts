// The native core's kernels for sequence models: batched GEMM, layer norm, GELU, softmax, fused multi-head
// attention, cross-entropy with an ignore index, and clearing embedding-gradient rows (part of NativeCore, see
// native.ts). All arrays are owned by TypeScript; kernels read and write them in place.
type F = Float32Array;
type I = Int32Array;

export interface TransformerKernels {
  gemmBatched(
    tA: boolean,
    tB: boolean,
    batch: number,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: F,
    B: F,
    beta: number,
    C: F,
  ): void;
  layerNormForward(
    x: F,
    gamma: F | null,
    beta: F | null,
    y: F,
    mean: F,
    rstd: F,
    rows: number,
    D: number,
    eps: number,
  ): void;
  layerNormBackward(
    dy: F,
    x: F,
    gamma: F | null,
    mean: F,
    rstd: F,
    dx: F | null,
    dgamma: F | null,
    dbeta: F | null,
    rows: number,
    D: number,
    accGamma: boolean,
    accBeta: boolean,
  ): void;
  geluForward(x: F, y: F, n: number, tanh: boolean): void;
  geluBackward(dy: F, x: F, dx: F, n: number, tanh: boolean): void;
  softmaxForward(x: F, y: F, rows: number, D: number): void;
  softmaxBackward(dy: F, y: F, dx: F, rows: number, D: number): void;
  logSoftmaxForward(x: F, y: F, rows: number, D: number, float64: boolean): void;
  logSoftmaxBackward(dy: F, y: F, dx: F, rows: number, D: number, float64: boolean): void;
  attentionForward(
    q: F,
    k: F,
    v: F,
    keyMask: F | null,
    out: F,
    probs: F,
    B: number,
    Sq: number,
    Sk: number,
    H: number,
    headDim: number,
    causal: boolean,
    scale: number,
  ): void;
  attentionBackward(
    q: F,
    k: F,
    v: F,
    probs: F,
    dout: F,
    dq: F | null,
    dk: F | null,
    dv: F | null,
    B: number,
    Sq: number,
    Sk: number,
    H: number,
    headDim: number,
    scale: number,
  ): void;
  /** Returns the summed loss of the rows whose target is not ignoreIndex; lse receives their log-sum-exp. */
  crossEntropyForward(
    logits: F,
    targets: I,
    lse: Float64Array,
    N: number,
    C: number,
    ignoreIndex: number,
    float64: boolean,
  ): number;
  crossEntropyBackward(
    logits: F,
    targets: I,
    lse: Float64Array,
    dlogits: F,
    N: number,
    C: number,
    ignoreIndex: number,
    scale: number,
    float64: boolean,
  ): void;
  embeddingClearRows(dtable: F, rows: I, V: number, D: number, nRows: number): void;
}
