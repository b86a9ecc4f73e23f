// Layer normalization over the last axis (PyTorch's nn.LayerNorm over one trailing dimension): each row of D
// values is normalized by its own mean and biased variance, then scaled by gamma and shifted by beta.
import { kernels } from '../kernels.js';
import { Tensor, accumulateGrad, gradTarget, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { uninitializedF32 } from '../buffers.js';
import { batchMajor } from './layout.js';

/** x [..., D]; gamma and beta [D] or null (no scale, no shift). */
export function layerNorm(input: Tensor, gamma: Tensor | null, beta: Tensor | null, eps = 1e-5): Tensor {
  const x = batchMajor(input);
  if (x.ndim < 1) throw new RangeError('layerNorm: input needs at least one dimension');
  const D = x.shape[x.ndim - 1]!;
  for (const [name, p] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const)
    if (p && (p.ndim !== 1 || p.shape[0] !== D))
      throw new RangeError(`layerNorm: ${name} ${shapeStr(p.shape)} does not match input ${shapeStr(x.shape)}`);
  if (!(eps > 0)) throw new RangeError(`layerNorm: eps must be > 0, got ${eps}`);
  const rows = D === 0 ? 0 : x.size / D;
  const y = new Tensor(uninitializedF32(x.size), x.shape);
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  kernels().layerNormForward(x.data, gamma?.data ?? null, beta?.data ?? null, y.data, mean, rstd, rows, D, eps);
  const parents = [x, gamma, beta].filter((t): t is Tensor => t !== null);
  if (!needsGrad(...parents)) return y;
  return record(y, 'layerNorm', parents, (g) => {
    const dx = x.requiresGrad ? uninitializedF32(x.size) : null;
    const dg = gamma ? gradTarget(gamma) : null;
    const db = beta ? gradTarget(beta) : null;
    kernels().layerNormBackward(
      g,
      x.data,
      gamma?.data ?? null,
      mean,
      rstd,
      dx,
      dg?.buf ?? null,
      db?.buf ?? null,
      rows,
      D,
      dg?.accumulate ?? false,
      db?.accumulate ?? false,
    );
    if (dx) accumulateGrad(x, dx);
  });
}
