// Sparse export of a ticket as safetensors: every prunable weight as CSR arrays over its rows (conv weights
// [out, in, kh, kw] are rows of in·kh·kw), everything else dense. docs/export.md shows how to load it with
// numpy / scipy.sparse.csr_matrix. Tensors per prunable weight `w`:
//   w.values       F32  kept weights, row by row
//   w.col_indices  I32  column of each kept weight (I64 when a count passes 2^31-1)
//   w.row_ptr      I32  row r's entries are values[row_ptr[r] : row_ptr[r+1]] (same dtype as col_indices)
//   w.shape        I64  the dense shape, e.g. [64, 3, 3, 3]
import { createRequire } from 'node:module';
import { encodeSafetensors, type Tensor } from '../store/safetensors.js';
import { countOnes, totalDensity, type Masks } from '../pruning/masks.js';
import type { Model } from '../models/model.js';

const version = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

export const CSR_FORMAT = 'ticketlab-csr';
const I32_MAX = 2 ** 31 - 1;

export interface CsrMatrix {
  rows: number;
  cols: number;
  values: Float32Array;
  colIndices: Int32Array | BigInt64Array;
  rowPtr: Int32Array | BigInt64Array;
}

/** CSR of the entries of a row-major rows×cols matrix that the mask keeps (mask 1), zeros included if kept. */
export function toCsr(weight: Float32Array, mask: Float32Array, rows: number, cols: number): CsrMatrix {
  if (weight.length !== rows * cols || mask.length !== weight.length)
    throw new RangeError(`toCsr: ${weight.length} weights, ${mask.length} mask entries, shape ${rows}×${cols}`);
  const nnz = countOnes(mask);
  const wide = nnz > I32_MAX || cols > I32_MAX;
  const values = new Float32Array(nnz);
  const col = wide ? new BigInt64Array(nnz) : new Int32Array(nnz);
  const ptr = wide ? new BigInt64Array(rows + 1) : new Int32Array(rows + 1);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      if (mask[base + c] === 0) continue;
      values[k] = weight[base + c]!;
      if (wide) (col as BigInt64Array)[k] = BigInt(c);
      else (col as Int32Array)[k] = c;
      k++;
    }
    if (wide) (ptr as BigInt64Array)[r + 1] = BigInt(k);
    else (ptr as Int32Array)[r + 1] = k;
  }
  return { rows, cols, values, colIndices: col, rowPtr: ptr };
}

function indexTensor(data: Int32Array | BigInt64Array): Tensor {
  return data instanceof Int32Array
    ? { dtype: 'I32', shape: [data.length], data }
    : { dtype: 'I64', shape: [data.length], data };
}

export interface CsrExport {
  bytes: Uint8Array;
  /** Kept weights per prunable weight. */
  nnz: Record<string, number>;
  density: number;
}

/**
 * Encodes `model`'s state as a ticketlab-csr safetensors file. `masks` says which prunable entries are kept;
 * `meta` adds string metadata (experiment, level, …).
 */
export function encodeCsrTicket(model: Model, masks: Masks, meta: Record<string, string | number> = {}): CsrExport {
  const tensors: Record<string, Tensor> = {};
  const nnz: Record<string, number> = {};
  let wide = false;
  for (const [name, p] of model.namedParameters()) {
    const mask = p.prunable ? masks.get(name) : undefined;
    if (p.prunable && !mask) throw new Error(`encodeCsrTicket: no mask for prunable weight '${name}'`);
    if (!mask) {
      tensors[name] = { dtype: 'F32', shape: [...p.shape], data: p.data };
      continue;
    }
    const rows = p.shape[0]!;
    const csr = toCsr(p.data, mask, rows, p.size / rows);
    wide ||= csr.colIndices instanceof BigInt64Array;
    tensors[`${name}.values`] = { dtype: 'F32', shape: [csr.values.length], data: csr.values };
    tensors[`${name}.col_indices`] = indexTensor(csr.colIndices);
    tensors[`${name}.row_ptr`] = indexTensor(csr.rowPtr);
    tensors[`${name}.shape`] = { dtype: 'I64', shape: [p.shape.length], data: BigInt64Array.from(p.shape, BigInt) };
    nnz[name] = csr.values.length;
  }
  for (const [name, b] of model.namedBuffers()) tensors[name] = { dtype: 'F32', shape: [b.length], data: b };

  const density = totalDensity(masks);
  const metadata: Record<string, string> = {
    ...Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, String(v)])),
    format: CSR_FORMAT,
    version,
    model: model.name,
    density: String(density),
    nnz: JSON.stringify(nnz),
    total_nnz: String(Object.values(nnz).reduce((a, b) => a + b, 0)),
    index_dtype: wide ? 'I64' : 'I32',
    sparse: Object.keys(nnz).join(','),
  };
  return { bytes: encodeSafetensors(tensors, metadata), nnz, density };
}
