// Shape changes that share data: reshape and flatten.
import { Tensor, accumulateGrad, shapeStr, sizeOf } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { batchMajor } from './layout.js';

/** Same data, new shape; one dimension may be -1 (inferred). */
export function reshape(input: Tensor, shape: readonly number[]): Tensor {
  const x = batchMajor(input);
  const s = [...shape];
  const infer = s.indexOf(-1);
  if (infer >= 0) {
    const rest = sizeOf(s.filter((_, i) => i !== infer));
    if (rest === 0 || x.size % rest !== 0)
      throw new RangeError(`reshape: cannot reshape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
    s[infer] = x.size / rest;
  }
  if (sizeOf(s) !== x.size)
    throw new RangeError(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} values) to ${shapeStr(shape)}`);
  const y = new Tensor(x.data, s);
  if (!needsGrad(x)) return y;
  // The output's gradient buffer is released after this call, so it can be handed over without a copy.
  return record(y, 'reshape', [x], (g) => accumulateGrad(x, g));
}

/** [N, ...] → [N, prod(...)]. */
export function flatten(x: Tensor): Tensor {
  if (x.ndim < 1) throw new RangeError('flatten: needs at least one dimension');
  return reshape(x, [x.shape[0]!, -1]);
}
