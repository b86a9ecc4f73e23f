// ReLU, GELU and (inverted) dropout.
import { kernels } from '../kernels.js';
import { Tensor, accumulateGrad } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import type { Rng } from '../rng.js';
import { uninitializedF32 } from '../buffers.js';

export function relu(x: Tensor): Tensor {
  const y = new Tensor(uninitializedF32(x.size), x.shape); // both kernels write every element
  y.featureMajor = x.featureMajor; // elementwise: any layout
  kernels().reluForward(x.data, y.data, x.size);
  if (!needsGrad(x)) return y;
  return record(y, 'relu', [x], (g) => {
    const dx = uninitializedF32(x.size);
    kernels().reluBackward(g, y.data, dx, x.size);
    accumulateGrad(x, dx);
  });
}

/**
 * GELU, x·Φ(x). 'tanh' is the approximation GPT-2 uses, PyTorch's nn.GELU(approximate='tanh'):
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); 'none' is the exact form with erf (PyTorch's default, BERT's).
 */
export function gelu(x: Tensor, approximate: 'tanh' | 'none' = 'tanh'): Tensor {
  const tanh = approximate === 'tanh';
  if (!tanh && approximate !== 'none') throw new RangeError(`gelu: approximate must be 'tanh' or 'none'`);
  const y = new Tensor(uninitializedF32(x.size), x.shape);
  y.featureMajor = x.featureMajor; // elementwise: any layout
  kernels().geluForward(x.data, y.data, x.size, tanh);
  if (!needsGrad(x)) return y;
  return record(y, 'gelu', [x], (g) => {
    const dx = uninitializedF32(x.size);
    kernels().geluBackward(g, x.data, dx, x.size, tanh);
    accumulateGrad(x, dx);
  });
}

/** Inverted dropout: zeroes each entry with probability p and scales the rest by 1/(1-p). Identity when not training. */
export function dropout(x: Tensor, p: number, rng: Rng, training: boolean): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const y = new Tensor(new Float32Array(x.size), x.shape);
  y.featureMajor = x.featureMajor;
  const mask = new Float32Array(x.size);
  kernels().dropoutForward(x.data, y.data, mask, x.size, p, rng.seed53());
  if (!needsGrad(x)) return y;
  return record(y, 'dropout', [x], (g) => {
    const dx = new Float32Array(x.size);
    kernels().mul(g, mask, dx, x.size);
    accumulateGrad(x, dx);
  });
}
