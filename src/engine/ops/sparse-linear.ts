// Linear layer over a CSR weight (fixed mask): y = x Wᵀ + b in feature-major layout. The weight gradient is
// computed at the non-zeros only. A packed weight (nn/parameter.ts: only its non-zeros stored, in CSR order)
// is used as it is and gets a packed gradient; a dense masked one has its values gathered each call and its
// gradient scattered back, so either storage trains the same.
import { kernels } from '../kernels.js';
import { uninitializedF32 } from '../buffers.js';
import { Tensor, accumulateGrad, gradTarget, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { featureMajor } from './layout.js';
import type { CsrStructure } from '../csr.js';

/** A weight that stores only its non-zeros, in CSR order (structurally: nn/parameter.ts's Parameter). */
interface PackedWeight {
  readonly packed: boolean;
  readonly storage: Float32Array;
}

function isPacked(w: Tensor): boolean {
  return (w as Tensor & Partial<PackedWeight>).packed === true;
}

/** The weight's non-zeros in CSR order: a packed weight's own storage, or gathered from the dense values. */
export function packedValues(weight: Tensor, csr: CsrStructure, nnz: number): Float32Array {
  if (isPacked(weight)) {
    const v = (weight as Tensor & PackedWeight).storage;
    if (v.length !== nnz) throw new RangeError(`packed weight holds ${v.length} values, the CSR structure ${nnz}`);
    return v;
  }
  const values = new Float32Array(nnz);
  kernels().gatherIndexed(weight.data, csr.flat, values, nnz);
  return values;
}

/**
 * Where a sparse kernel's backward pass writes the weight gradient at the non-zeros (`dValues`) and the bias
 * gradient, under the kernel's single accumulate flag (`accumulate`); `finish()` then puts the weight gradient
 * where the weight keeps it. A packed weight's gradient is written in place when its flag agrees with the bias's;
 * otherwise into a fresh buffer that is copied, added or (for a dense weight) scattered into place.
 */
export function sparseGradTargets(
  weight: Tensor,
  bias: Tensor | null,
  csr: CsrStructure,
): { dValues: Float32Array | null; dBias: Float32Array | null; accumulate: boolean; finish: () => void } {
  const dw = gradTarget(weight);
  const db = bias ? gradTarget(bias) : null;
  const direct = dw !== null && isPacked(weight) && (!db || db.accumulate === dw.accumulate);
  const dValues = dw ? (direct ? dw.buf : new Float32Array(csr.flat.length)) : null;
  const finish = () => {
    if (!dw || !dValues || direct) return;
    if (!isPacked(weight))
      kernels().scatterIndexed(dValues, csr.flat, dw.buf, dValues.length, dw.accumulate); // off-mask entries stay as they are
    else if (dw.accumulate) kernels().axpy(1, dValues, dw.buf, dValues.length);
    else dw.buf.set(dValues);
  };
  return { dValues, dBias: db?.buf ?? null, accumulate: direct ? dw.accumulate : (db?.accumulate ?? false), finish };
}

export function sparseLinear(x: Tensor, weight: Tensor, bias: Tensor | null, csr: CsrStructure): Tensor {
  const [outF, inF] = weight.shape as [number, number];
  if (csr.rows !== outF || csr.cols !== inF)
    throw new RangeError(`sparseLinear: CSR ${csr.rows}x${csr.cols} does not match weight ${shapeStr(weight.shape)}`);
  if (x.ndim !== 2 || x.shape[1] !== inF)
    throw new RangeError(`sparseLinear: input ${shapeStr(x.shape)} does not match weight ${shapeStr(weight.shape)}`);
  const xT = featureMajor(x);
  const n = x.shape[0]!;
  const nnz = csr.flat.length;
  const values = packedValues(weight, csr, nnz);
  const y = new Tensor(uninitializedF32(outF * n), [n, outF]); // the kernel writes every row, bias included
  y.featureMajor = true;
  kernels().sparseLinearForward(csr.rowPtr, csr.colIdx, values, bias ? bias.data : null, xT.data, y.data, outF, inF, n);
  if (!needsGrad(xT, weight, bias)) return y;
  return record(y, 'sparseLinear', bias ? [xT, weight, bias] : [xT, weight], (g) => {
    const dxT = xT.requiresGrad ? uninitializedF32(xT.size) : null; // zeroed by the kernel
    const t = sparseGradTargets(weight, bias, csr);
    kernels().sparseLinearBackward(
      csr.rowPtr,
      csr.colIdx,
      values,
      xT.data,
      g,
      dxT,
      t.dValues,
      t.dBias,
      outF,
      inF,
      n,
      t.accumulate,
    );
    t.finish();
    if (dxT) accumulateGrad(xT, dxT);
  });
}
