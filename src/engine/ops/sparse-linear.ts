// Linear layer over a CSR weight (fixed mask): y = x Wᵀ + b in feature-major layout. The weight gradient is
// computed at the non-zeros only. A packed weight (nn/parameter.ts: only its non-zeros stored, in CSR order)
// is used as it is and gets a packed gradient; a dense masked one has its values gathered each call and its
// gradient scattered back, so either storage trains the same.
import { native } from '../native.js';
import { Tensor, accumulateGrad, gradTarget, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { featureMajor } from './layout.js';

export interface CsrStructure {
  rowPtr: Int32Array;
  colIdx: Int32Array;
  /** Flat (row-major) indices of the non-zeros into the dense weight, in CSR order. */
  flat: Int32Array;
  rows: number;
  cols: number;
}

/** CSR structure of a 0/1 mask over a [rows, cols] weight. */
export function csrFromMask(mask: Float32Array, rows: number, cols: number): CsrStructure {
  if (mask.length !== rows * cols) throw new RangeError(`mask has ${mask.length} entries, weight ${rows}x${cols}`);
  let nnz = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) nnz++;
  const flat = new Int32Array(nnz);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i] !== 0) flat[k++] = i;
  return csrFromIndices(flat, rows, cols);
}

/** CSR structure from the ascending flat (row-major) indices of the non-zeros, which it keeps as `flat`. */
export function csrFromIndices(flat: Int32Array, rows: number, cols: number): CsrStructure {
  const rowPtr = new Int32Array(rows + 1);
  const colIdx = new Int32Array(flat.length);
  let prev = -1;
  for (let k = 0; k < flat.length; k++) {
    const f = flat[k]!;
    if (f <= prev || f >= rows * cols) throw new RangeError(`non-zero indices must ascend within [0, ${rows * cols})`);
    prev = f;
    const r = Math.floor(f / cols);
    colIdx[k] = f - r * cols;
    rowPtr[r + 1]!++;
  }
  for (let r = 0; r < rows; r++) rowPtr[r + 1]! += rowPtr[r]!;
  return { rowPtr, colIdx, flat, rows, cols };
}

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
  native.gatherIndexed(weight.data, csr.flat, values, nnz);
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
    if (!isPacked(weight)) native.scatterIndexed(dValues, csr.flat, dw.buf, dValues.length, dw.accumulate); // off-mask entries stay as they are
    else if (dw.accumulate) native.axpy(1, dValues, dw.buf, dValues.length);
    else dw.buf.set(dValues);
  };
  return { dValues, dBias: db?.buf ?? null, accumulate: direct ? dw.accumulate : (db?.accumulate ?? false), finish };
}

export function sparseLinear(x: Tensor, weight: Tensor, bias: Tensor | null, csr: CsrStructure): Tensor {
  const [outF, inF] = weight.shape as [number, number];
  if (csr.rows !== outF || csr.cols !== inF) throw new RangeError(`sparseLinear: CSR ${csr.rows}x${csr.cols} does not match weight ${shapeStr(weight.shape)}`);
  if (x.ndim !== 2 || x.shape[1] !== inF) throw new RangeError(`sparseLinear: input ${shapeStr(x.shape)} does not match weight ${shapeStr(weight.shape)}`);
  const xT = featureMajor(x);
  const n = x.shape[0]!;
  const nnz = csr.flat.length;
  const values = packedValues(weight, csr, nnz);
  const y = new Tensor(new Float32Array(outF * n), [n, outF]);
  y.featureMajor = true;
  native.sparseLinearForward(csr.rowPtr, csr.colIdx, values, bias ? bias.data : null, xT.data, y.data, outF, inF, n);
  if (!needsGrad(xT, weight, bias)) return y;
  return record(y, 'sparseLinear', bias ? [xT, weight, bias] : [xT, weight], (g) => {
    const dxT = xT.requiresGrad ? new Float32Array(xT.size) : null;
    const t = sparseGradTargets(weight, bias, csr);
    native.sparseLinearBackward(csr.rowPtr, csr.colIdx, values, xT.data, g, dxT, t.dValues, t.dBias, outF, inF, n, t.accumulate);
    t.finish();
    if (dxT) accumulateGrad(xT, dxT);
  });
}
