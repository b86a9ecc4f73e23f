// Shape changes: reshape and flatten (sharing data), and picking one position of a sequence batch.
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

/** Position `s` of a sequence batch: [B, S, D] → [B, D] (negative s counts from the end, -1 is the last). */
export function selectPosition(input: Tensor, s: number): Tensor {
  const x = batchMajor(input);
  if (x.ndim !== 3) throw new RangeError(`selectPosition: input must be [B, S, D], got ${shapeStr(x.shape)}`);
  const [B, S, D] = x.shape as [number, number, number];
  const at = s < 0 ? S + s : s;
  if (!Number.isInteger(at) || at < 0 || at >= S)
    throw new RangeError(`selectPosition: position ${s} outside a sequence of ${S}`);
  const y = new Tensor(new Float32Array(B * D), [B, D]);
  for (let b = 0; b < B; b++) y.data.set(x.data.subarray((b * S + at) * D, (b * S + at + 1) * D), b * D);
  if (!needsGrad(x)) return y;
  return record(y, 'selectPosition', [x], (g) => {
    const dx = new Float32Array(x.size);
    for (let b = 0; b < B; b++) dx.set(g.subarray(b * D, (b + 1) * D), (b * S + at) * D);
    accumulateGrad(x, dx);
  });
}
