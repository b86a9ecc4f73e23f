// Position embeddings added to [batch, seq, D] activations: a table row per position, the same for every batch
// element. The table is a fixed sinusoidal one (no gradient) or a learned parameter.
import { kernels } from '../kernels.js';
import { Tensor, accumulateGrad, gradTarget, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { uninitializedF32 } from '../buffers.js';

/**
 * The fixed table of "Attention Is All You Need": row p holds sin(p / 10000^(2i/D)) at column 2i and the cosine
 * at 2i + 1.
 */
export function sinusoidalTable(length: number, dim: number): Tensor {
  if (!Number.isInteger(length) || length < 0 || !Number.isInteger(dim) || dim < 1)
    throw new RangeError(`sinusoidalTable: needs a length >= 0 and a width >= 1, got ${length} x ${dim}`);
  const t = new Float32Array(length * dim);
  for (let i = 0; 2 * i < dim; i++) {
    const freq = Math.pow(10000, (-2 * i) / dim);
    for (let p = 0; p < length; p++) {
      t[p * dim + 2 * i] = Math.sin(p * freq);
      if (2 * i + 1 < dim) t[p * dim + 2 * i + 1] = Math.cos(p * freq);
    }
  }
  return new Tensor(t, [length, dim]);
}

/** x [B, S, D] plus rows offset..offset+S-1 of table [L, D] at every batch element. */
export function addPositions(x: Tensor, table: Tensor, offset = 0): Tensor {
  if (x.ndim !== 3 || x.featureMajor)
    throw new RangeError(`addPositions: x must be [B, S, D], got ${shapeStr(x.shape)}`);
  const [B, S, D] = x.shape as [number, number, number];
  if (table.ndim !== 2 || table.shape[1] !== D)
    throw new RangeError(`addPositions: table ${shapeStr(table.shape)} does not match x ${shapeStr(x.shape)}`);
  if (!Number.isInteger(offset) || offset < 0 || offset + S > table.shape[0]!)
    throw new RangeError(`addPositions: positions ${offset}..${offset + S - 1} outside a table of ${table.shape[0]}`);
  const n = S * D;
  const rows = table.data.subarray(offset * D, offset * D + n);
  const y = new Tensor(uninitializedF32(x.size), x.shape);
  for (let b = 0; b < B; b++) kernels().add(x.data.subarray(b * n, (b + 1) * n), rows, y.data.subarray(b * n), n);
  if (!needsGrad(x, table)) return y;
  return record(y, 'addPositions', [x, table], (g) => {
    const dt = gradTarget(table);
    if (dt) {
      const dRows = dt.buf.subarray(offset * D, offset * D + n);
      if (!dt.accumulate) dt.buf.fill(0);
      for (let b = 0; b < B; b++) kernels().axpy(1, g.subarray(b * n, (b + 1) * n), dRows, n);
    }
    // The output's gradient is released after this call, so x may adopt it.
    if (x.requiresGrad) accumulateGrad(x, g);
  });
}
