// Concatenation along one axis (PyTorch's torch.cat): soft prompts are prepended to a sequence of token embeddings
// this way. The backward pass hands each input back its own slice of the output's gradient.
import { Tensor, accumulateGrad, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { batchMajor } from './layout.js';

/** Inputs of equal rank and equal extents except along `axis` (negative counts from the end), joined in order. */
export function concat(inputs: readonly Tensor[], axis: number): Tensor {
  if (inputs.length === 0) throw new RangeError('concat: needs at least one tensor');
  const xs = inputs.map(batchMajor);
  const first = xs[0]!;
  const ax = axis < 0 ? first.ndim + axis : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= first.ndim)
    throw new RangeError(`concat: axis ${axis} outside a ${first.ndim}-D tensor`);
  for (const x of xs)
    if (x.ndim !== first.ndim || x.shape.some((d, i) => i !== ax && d !== first.shape[i]))
      throw new RangeError(`concat: shapes ${xs.map((t) => shapeStr(t.shape)).join(', ')} differ outside axis ${ax}`);
  // Each input is `outer` contiguous chunks of `chunk` values; the output interleaves them chunk by chunk.
  const outer = first.shape.slice(0, ax).reduce((a, b) => a * b, 1);
  const inner = first.shape.slice(ax + 1).reduce((a, b) => a * b, 1);
  const chunks = xs.map((x) => x.shape[ax]! * inner);
  const width = chunks.reduce((a, b) => a + b, 0);
  const shape = [...first.shape];
  shape[ax] = xs.reduce((a, x) => a + x.shape[ax]!, 0);
  const y = new Tensor(new Float32Array(outer * width), shape);
  let start = 0;
  for (const [k, x] of xs.entries()) {
    const c = chunks[k]!;
    for (let o = 0; o < outer; o++) y.data.set(x.data.subarray(o * c, (o + 1) * c), o * width + start);
    start += c;
  }
  if (!needsGrad(...xs)) return y;
  return record(y, 'concat', xs, (g) => {
    let from = 0;
    for (const [k, x] of xs.entries()) {
      const c = chunks[k]!;
      if (x.requiresGrad) {
        const dx = new Float32Array(x.size);
        for (let o = 0; o < outer; o++) dx.set(g.subarray(o * width + from, o * width + from + c), o * c);
        accumulateGrad(x, dx);
      }
      from += c;
    }
  });
}
