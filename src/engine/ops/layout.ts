// Conversions between the batch-major layout every op accepts and the feature-major layout of sparse layers.
import { kernels } from '../kernels.js';
import { uninitializedF32 } from '../buffers.js';
import { Tensor, accumulateGrad } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';

function transposed(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = uninitializedF32(src.length);
  kernels().transpose(src, out, rows, cols);
  return out;
}

/** The tensor in batch-major layout (itself when it already is). */
export function batchMajor(x: Tensor): Tensor {
  if (!x.featureMajor) return x;
  const [N, C] = x.shape as [number, number];
  const y = new Tensor(transposed(x.data, C, N), x.shape);
  if (!needsGrad(x)) return y;
  return record(y, 'batchMajor', [x], (g) => accumulateGrad(x, transposed(g, N, C)));
}

/** A 2-D tensor in feature-major layout (itself when it already is). */
export function featureMajor(x: Tensor): Tensor {
  if (x.featureMajor) return x;
  if (x.ndim !== 2) throw new RangeError(`featureMajor: needs a 2-D tensor, got ${x.ndim}-D`);
  const [N, C] = x.shape as [number, number];
  const y = new Tensor(transposed(x.data, N, C), x.shape);
  y.featureMajor = true;
  if (!needsGrad(x)) return y;
  return record(y, 'featureMajor', [x], (g) => accumulateGrad(x, transposed(g, C, N)));
}
