// Batched matrix product over the leading axis: [B, M, K] × [B, K, N] → [B, M, N], either operand optionally
// transposed in its last two axes (attention's q·kᵀ without materializing kᵀ).
import { kernels } from '../kernels.js';
import { Tensor, gradTarget, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { uninitializedF32 } from '../buffers.js';

export interface BmmOptions {
  /** Use a's last two axes transposed: a is [B, K, M]. */
  transA?: boolean;
  /** Use b's last two axes transposed: b is [B, N, K]. */
  transB?: boolean;
}

export function bmm(a: Tensor, b: Tensor, opts: BmmOptions = {}): Tensor {
  const tA = opts.transA ?? false;
  const tB = opts.transB ?? false;
  if (a.ndim !== 3 || b.ndim !== 3 || a.featureMajor || b.featureMajor)
    throw new RangeError(`bmm: needs two 3-D tensors, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  const [B, a1, a2] = a.shape as [number, number, number];
  const [B2, b1, b2] = b.shape as [number, number, number];
  const [M, K] = tA ? [a2, a1] : [a1, a2];
  const [Kb, N] = tB ? [b2, b1] : [b1, b2];
  if (B !== B2 || K !== Kb)
    throw new RangeError(
      `bmm: shapes ${shapeStr(a.shape)}${tA ? 'ᵀ' : ''} and ${shapeStr(b.shape)}${tB ? 'ᵀ' : ''} do not chain`,
    );
  const y = new Tensor(uninitializedF32(B * M * N), [B, M, N]);
  kernels().gemmBatched(tA, tB, B, M, N, K, 1, a.data, b.data, 0, y.data);
  if (!needsGrad(a, b)) return y;
  return record(y, 'bmm', [a, b], (g) => {
    const da = gradTarget(a);
    // d op(A) = dY op(B)ᵀ; stored transposed when transA. Likewise for B.
    if (da) {
      const beta = da.accumulate ? 1 : 0;
      if (tA) kernels().gemmBatched(tB, true, B, K, M, N, 1, b.data, g, beta, da.buf);
      else kernels().gemmBatched(false, !tB, B, M, K, N, 1, g, b.data, beta, da.buf);
    }
    const db = gradTarget(b);
    if (db) {
      const beta = db.accumulate ? 1 : 0;
      if (tB) kernels().gemmBatched(true, tA, B, N, K, M, 1, g, a.data, beta, db.buf);
      else kernels().gemmBatched(!tA, false, B, K, N, M, 1, a.data, g, beta, db.buf);
    }
  });
}
