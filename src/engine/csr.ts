// Compressed sparse row (CSR) structure of a mask's non-zeros, as the sparse kernels and packed weights use it.

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
