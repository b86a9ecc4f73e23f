// Conv2d (stride 1) over a CSR weight: rows are output channels, columns (c, kh, kw). Like sparseLinear, it reads
// a packed weight's non-zeros directly (or gathers them from a dense masked one) and computes the weight gradient
// at the non-zeros only.
import { kernels } from '../kernels.js';
import { Tensor, accumulateGrad, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { uninitializedF32 } from '../buffers.js';
import { packedValues, sparseGradTargets } from './sparse-linear.js';
import type { CsrStructure } from '../csr.js';

export function sparseConv2d(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  csr: CsrStructure,
  padding: number,
): Tensor {
  const [O, Cw, K, K2] = weight.shape as [number, number, number, number];
  if (K !== K2) throw new RangeError(`sparseConv2d: square kernels only, got ${shapeStr(weight.shape)}`);
  if (x.ndim !== 4 || x.shape[1] !== Cw)
    throw new RangeError(`sparseConv2d: input ${shapeStr(x.shape)} does not match weight ${shapeStr(weight.shape)}`);
  if (csr.rows !== O || csr.cols !== Cw * K * K)
    throw new RangeError('sparseConv2d: CSR structure does not match the weight');
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const OH = H + 2 * padding - K + 1;
  const OW = W + 2 * padding - K + 1;
  if (OH < 1 || OW < 1) throw new RangeError(`sparseConv2d: kernel ${K}x${K} larger than padded input ${H}x${W}`);
  const nnz = csr.flat.length;
  const values = packedValues(weight, csr, nnz);
  const y = new Tensor(uninitializedF32(N * O * OH * OW), [N, O, OH, OW]);
  kernels().sparseConv2dForward(
    csr.rowPtr,
    csr.colIdx,
    N,
    C,
    H,
    W,
    O,
    K,
    padding,
    values,
    bias ? bias.data : null,
    x.data,
    y.data,
  );
  if (!needsGrad(x, weight, bias)) return y;
  return record(y, 'sparseConv2d', bias ? [x, weight, bias] : [x, weight], (g) => {
    const dx = x.requiresGrad ? uninitializedF32(x.size) : null;
    const t = sparseGradTargets(weight, bias, csr);
    kernels().sparseConv2dBackward(
      csr.rowPtr,
      csr.colIdx,
      N,
      C,
      H,
      W,
      O,
      K,
      padding,
      values,
      x.data,
      g,
      dx,
      t.dValues,
      t.dBias,
      t.accumulate,
    );
    t.finish();
    if (dx) accumulateGrad(x, dx);
  });
}
