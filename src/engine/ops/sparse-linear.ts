// Linear layer over a CSR weight (fixed mask): y = x Wᵀ + b in feature-major layout. The weight's values are
// gathered from the dense (masked) parameter each call and its gradient is scattered back at the non-zeros
// only, so parameters, masks and optimizers stay the same whichever kernel a layer uses.
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
  const rowPtr = new Int32Array(rows + 1);
  const colIdx = new Int32Array(nnz);
  const flat = new Int32Array(nnz);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    rowPtr[r] = k;
    const off = r * cols;
    for (let c = 0; c < cols; c++)
      if (mask[off + c] !== 0) {
        colIdx[k] = c;
        flat[k++] = off + c;
      }
  }
  rowPtr[rows] = k;
  return { rowPtr, colIdx, flat, rows, cols };
}

export function sparseLinear(x: Tensor, weight: Tensor, bias: Tensor | null, csr: CsrStructure): Tensor {
  const [outF, inF] = weight.shape as [number, number];
  if (csr.rows !== outF || csr.cols !== inF) throw new RangeError(`sparseLinear: CSR ${csr.rows}x${csr.cols} does not match weight ${shapeStr(weight.shape)}`);
  if (x.ndim !== 2 || x.shape[1] !== inF) throw new RangeError(`sparseLinear: input ${shapeStr(x.shape)} does not match weight ${shapeStr(weight.shape)}`);
  const xT = featureMajor(x);
  const n = x.shape[0]!;
  const nnz = csr.flat.length;
  const values = new Float32Array(nnz);
  native.gatherIndexed(weight.data, csr.flat, values, nnz);
  const y = new Tensor(new Float32Array(outF * n), [n, outF]);
  y.featureMajor = true;
  native.sparseLinearForward(csr.rowPtr, csr.colIdx, values, bias ? bias.data : null, xT.data, y.data, outF, inF, n);
  if (!needsGrad(xT, weight, bias)) return y;
  return record(y, 'sparseLinear', bias ? [xT, weight, bias] : [xT, weight], (g) => {
    const dxT = xT.requiresGrad ? new Float32Array(xT.size) : null;
    const dw = gradTarget(weight);
    const dValues = dw ? new Float32Array(nnz) : null;
    const db = bias ? gradTarget(bias) : null;
    native.sparseLinearBackward(csr.rowPtr, csr.colIdx, values, xT.data, g, dxT, dValues, db?.buf ?? null, outF, inF, n, db?.accumulate ?? false);
    if (dw && dValues) {
      // Entries off the mask are never written, so a fresh buffer stays zero there.
      native.scatterIndexed(dValues, csr.flat, dw.buf, nnz, dw.accumulate);
    }
    if (dxT) accumulateGrad(xT, dxT);
  });
}
