// Fully connected layer: y = x Wᵀ + b, with W stored [out, in] as in PyTorch; inputs [..., in] with more than two
// dimensions ([B, S, in] → [B, S, out]) are applied to every row, as PyTorch's nn.Linear does.
import { kernels } from '../kernels.js';
import { uninitializedF32 } from '../buffers.js';
import { Tensor, accumulateGrad, gradTarget, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { batchMajor } from './layout.js';
import { reshape } from './shape.js';

/** Runs a 2-D layer on the rows of x [..., in]: flattened to [rows, in], and the result reshaped to [..., out]. */
export function overRows(op: string, x: Tensor, inF: number, outF: number, layer: (rows: Tensor) => Tensor): Tensor {
  if (x.shape[x.ndim - 1] !== inF)
    throw new RangeError(
      `${op}: input ${shapeStr(x.shape)} does not match ${inF} input features (expects [..., ${inF}])`,
    );
  return reshape(layer(reshape(x, [-1, inF])), [...x.shape.slice(0, -1), outF]);
}

export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (input.ndim > 2 && weight.ndim === 2)
    return overRows('linear', input, weight.shape[1]!, weight.shape[0]!, (rows) => linear(rows, weight, bias));
  const x = batchMajor(input);
  if (weight.ndim !== 2) throw new RangeError(`linear: weight must be 2-D, got ${shapeStr(weight.shape)}`);
  const [outF, inF] = weight.shape as [number, number];
  if (x.ndim !== 2 || x.shape[1] !== inF)
    throw new RangeError(
      `linear: input ${shapeStr(x.shape)} does not match weight ${shapeStr(weight.shape)} (expects [N, ${inF}])`,
    );
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF))
    throw new RangeError(`linear: bias ${shapeStr(bias.shape)} does not match ${outF} outputs`);
  const n = x.shape[0]!;
  const y = new Tensor(uninitializedF32(n * outF), [n, outF]); // bias copy or GEMM with beta 0 writes all
  kernels().linearForward(x.data, weight.data, bias ? bias.data : null, y.data, n, inF, outF);
  if (!needsGrad(x, weight, bias)) return y;
  return record(y, 'linear', bias ? [x, weight, bias] : [x, weight], (g) => {
    const dx = x.requiresGrad ? uninitializedF32(x.size) : null; // GEMM with beta 0
    const dw = gradTarget(weight);
    const db = bias ? gradTarget(bias) : null;
    // dw and db share one accumulate flag in the kernel; split the call when they differ.
    if (dw && db && dw.accumulate !== db.accumulate) {
      kernels().linearBackward(g, x.data, weight.data, dx, dw.buf, null, n, inF, outF, dw.accumulate);
      kernels().linearBackward(g, x.data, weight.data, null, null, db.buf, n, inF, outF, db.accumulate);
    } else {
      const acc = (dw ?? db)?.accumulate ?? false;
      kernels().linearBackward(g, x.data, weight.data, dx, dw?.buf ?? null, db?.buf ?? null, n, inF, outF, acc);
    }
    if (dx) accumulateGrad(x, dx);
  });
}

/** Plain matrix product of 2-D tensors: [m, k] × [k, n]. */
export function matmul(a0: Tensor, b0: Tensor): Tensor {
  const a = batchMajor(a0);
  const b = batchMajor(b0);
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0])
    throw new RangeError(`matmul: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not chain`);
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const y = new Tensor(new Float32Array(m * n), [m, n]);
  kernels().gemm(false, false, m, n, k, 1, a.data, b.data, 0, y.data);
  if (!needsGrad(a, b)) return y;
  return record(y, 'matmul', [a, b], (g) => {
    const da = gradTarget(a);
    if (da) kernels().gemm(false, true, m, k, n, 1, g, b.data, da.accumulate ? 1 : 0, da.buf);
    const db = gradTarget(b);
    if (db) kernels().gemm(true, false, k, n, m, 1, a.data, g, db.accumulate ? 1 : 0, db.buf);
  });
}
