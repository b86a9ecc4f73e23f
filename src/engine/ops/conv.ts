// 2-D convolution, NCHW input and [out, in, kh, kw] weight (PyTorch layout), by im2col + GEMM in the core.
import { kernels } from '../kernels.js';
import { Tensor, accumulateGrad, gradTarget, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { uninitializedF32 } from '../buffers.js';

export interface Conv2dOptions {
  stride?: number;
  padding?: number;
}

export function conv2dOutputSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const stride = opts.stride ?? 1;
  const pad = opts.padding ?? 0;
  if (!Number.isInteger(stride) || stride < 1)
    throw new RangeError(`conv2d: stride must be a positive integer, got ${stride}`);
  if (!Number.isInteger(pad) || pad < 0)
    throw new RangeError(`conv2d: padding must be a non-negative integer, got ${pad}`);
  if (weight.ndim !== 4)
    throw new RangeError(`conv2d: weight must be 4-D [out, in, kh, kw], got ${shapeStr(weight.shape)}`);
  const [O, Cw, KH, KW] = weight.shape as [number, number, number, number];
  if (x.ndim !== 4 || x.shape[1] !== Cw)
    throw new RangeError(
      `conv2d: input ${shapeStr(x.shape)} does not match weight ${shapeStr(weight.shape)} (expects [N, ${Cw}, H, W])`,
    );
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O))
    throw new RangeError(`conv2d: bias ${shapeStr(bias.shape)} does not match ${O} channels`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  if (H + 2 * pad < KH || W + 2 * pad < KW)
    throw new RangeError(`conv2d: kernel ${KH}x${KW} larger than padded input ${H}x${W}`);
  const OH = conv2dOutputSize(H, KH, stride, pad);
  const OW = conv2dOutputSize(W, KW, stride, pad);
  const y = new Tensor(uninitializedF32(N * O * OH * OW), [N, O, OH, OW]);
  kernels().conv2dForward(x.data, weight.data, bias ? bias.data : null, y.data, N, C, H, W, O, KH, KW, stride, pad);
  if (!needsGrad(x, weight, bias)) return y;
  return record(y, 'conv2d', bias ? [x, weight, bias] : [x, weight], (g) => {
    const dw = gradTarget(weight);
    const db = bias ? gradTarget(bias) : null;
    if (dw && db && dw.accumulate !== db.accumulate) {
      kernels().conv2dBackwardFilter(g, x.data, dw.buf, null, N, C, H, W, O, KH, KW, stride, pad, dw.accumulate);
      const tmp = new Float32Array(O * C * KH * KW);
      kernels().conv2dBackwardFilter(g, x.data, tmp, db.buf, N, C, H, W, O, KH, KW, stride, pad, db.accumulate);
    } else if (dw) {
      kernels().conv2dBackwardFilter(
        g,
        x.data,
        dw.buf,
        db?.buf ?? null,
        N,
        C,
        H,
        W,
        O,
        KH,
        KW,
        stride,
        pad,
        dw.accumulate,
      );
    } else if (db) {
      const tmp = new Float32Array(O * C * KH * KW);
      kernels().conv2dBackwardFilter(g, x.data, tmp, db.buf, N, C, H, W, O, KH, KW, stride, pad, db.accumulate);
    }
    if (x.requiresGrad) {
      const dx = uninitializedF32(x.size);
      kernels().conv2dBackwardData(g, weight.data, dx, N, C, H, W, O, KH, KW, stride, pad);
      accumulateGrad(x, dx);
    }
  });
}
