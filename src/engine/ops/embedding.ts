// Embedding lookup: rows of a [V, D] table picked by integer indices.
import { kernels } from '../kernels.js';
import { Tensor, gradTarget, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';

export function embedding(
  indices: Int32Array,
  table: Tensor,
  indexShape: readonly number[] = [indices.length],
): Tensor {
  if (table.ndim !== 2) throw new RangeError(`embedding: table must be 2-D [V, D], got ${shapeStr(table.shape)}`);
  const [V, D] = table.shape as [number, number];
  const n = indices.length;
  const y = new Tensor(new Float32Array(n * D), [...indexShape, D]);
  kernels().embeddingForward(table.data, indices, y.data, V, D, n);
  if (!needsGrad(table)) return y;
  const idx = indices.slice();
  return record(y, 'embedding', [table], (g) => {
    const dt = gradTarget(table)!;
    kernels().embeddingBackward(g, idx, dt.buf, V, D, n, dt.accumulate);
  });
}
