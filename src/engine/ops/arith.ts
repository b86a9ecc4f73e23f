// Elementwise arithmetic between same-shaped tensors (residual connections) and reductions.
import { kernels } from '../kernels.js';
import { Tensor, accumulateGrad, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { batchMajor } from './layout.js';

function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i]))
    throw new RangeError(`${op}: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} differ`);
}

export function add(a0: Tensor, b0: Tensor): Tensor {
  // Elementwise ops work in either layout as long as both inputs share it.
  const [a, b] = a0.featureMajor === b0.featureMajor ? [a0, b0] : [batchMajor(a0), batchMajor(b0)];
  sameShape('add', a, b);
  const y = new Tensor(new Float32Array(a.size), a.shape);
  y.featureMajor = a.featureMajor;
  kernels().add(a.data, b.data, y.data, a.size);
  if (!needsGrad(a, b)) return y;
  return record(y, 'add', [a, b], (g) => {
    // Each parent adopts its own buffer, so the second one gets a copy.
    if (a.requiresGrad) accumulateGrad(a, b.requiresGrad ? g.slice() : g);
    if (b.requiresGrad) accumulateGrad(b, g);
  });
}

export function mul(a0: Tensor, b0: Tensor): Tensor {
  const [a, b] = a0.featureMajor === b0.featureMajor ? [a0, b0] : [batchMajor(a0), batchMajor(b0)];
  sameShape('mul', a, b);
  const y = new Tensor(new Float32Array(a.size), a.shape);
  y.featureMajor = a.featureMajor;
  kernels().mul(a.data, b.data, y.data, a.size);
  if (!needsGrad(a, b)) return y;
  return record(y, 'mul', [a, b], (g) => {
    if (a.requiresGrad) {
      const da = new Float32Array(a.size);
      kernels().mul(g, b.data, da, a.size);
      accumulateGrad(a, da);
    }
    if (b.requiresGrad) {
      const db = new Float32Array(b.size);
      kernels().mul(g, a.data, db, b.size);
      accumulateGrad(b, db);
    }
  });
}

/** Sum of all entries, as a one-element tensor. */
export function sum(x: Tensor): Tensor {
  const y = Tensor.from([kernels().sum(x.data, x.size)], [1]);
  if (!needsGrad(x)) return y;
  return record(y, 'sum', [x], (g) => accumulateGrad(x, new Float32Array(x.size).fill(g[0]!)));
}
