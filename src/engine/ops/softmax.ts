// Softmax and log-softmax over the last axis.
import { kernels } from '../kernels.js';
import { Tensor, accumulateGrad } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { uninitializedF32 } from '../buffers.js';
import { batchMajor } from './layout.js';

function rowsOf(op: string, x: Tensor): [number, number] {
  if (x.ndim < 1) throw new RangeError(`${op}: input needs at least one dimension`);
  const D = x.shape[x.ndim - 1]!;
  if (D === 0) throw new RangeError(`${op}: the last axis is empty`);
  return [x.size / D, D];
}

export function softmax(input: Tensor): Tensor {
  const x = batchMajor(input);
  const [rows, D] = rowsOf('softmax', x);
  const y = new Tensor(uninitializedF32(x.size), x.shape);
  kernels().softmaxForward(x.data, y.data, rows, D);
  if (!needsGrad(x)) return y;
  return record(y, 'softmax', [x], (g) => {
    const dx = uninitializedF32(x.size);
    kernels().softmaxBackward(g, y.data, dx, rows, D);
    accumulateGrad(x, dx);
  });
}

/**
 * log(softmax(x)) without forming the softmax. `float64` computes the log-sum-exp in double (the logits cast to
 * double first, as a PyTorch model that calls .double() before it): a log-probability near 0 keeps its digits
 * instead of rounding to 0, and so does its gradient.
 */
export function logSoftmax(input: Tensor, opts: { float64?: boolean } = {}): Tensor {
  const x = batchMajor(input);
  const [rows, D] = rowsOf('logSoftmax', x);
  const f64 = opts.float64 ?? false;
  const y = new Tensor(uninitializedF32(x.size), x.shape);
  kernels().logSoftmaxForward(x.data, y.data, rows, D, f64);
  if (!needsGrad(x)) return y;
  return record(y, 'logSoftmax', [x], (g) => {
    const dx = uninitializedF32(x.size);
    kernels().logSoftmaxBackward(g, y.data, dx, rows, D, f64);
    accumulateGrad(x, dx);
  });
}
