// Depthwise 2-D convolution: NCHW input, one K×K filter per channel (weight [C, 1, K, K], PyTorch's layout for
// groups = C), square stride and zero padding. The building block of inverted-residual blocks (MobileNetV2, the
// SuperTickets supernets).
import { kernels } from '../kernels.js';
import { Tensor, accumulateGrad, gradTarget, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { uninitializedF32 } from '../buffers.js';
import { conv2dOutputSize, type Conv2dOptions } from './conv.js';

export function depthwiseConv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const stride = opts.stride ?? 1;
  const pad = opts.padding ?? 0;
  if (!Number.isInteger(stride) || stride < 1)
    throw new RangeError(`depthwiseConv2d: stride must be a positive integer, got ${stride}`);
  if (!Number.isInteger(pad) || pad < 0)
    throw new RangeError(`depthwiseConv2d: padding must be a non-negative integer, got ${pad}`);
  const [C, one, K, K2] = weight.shape as [number, number, number, number];
  if (weight.ndim !== 4 || one !== 1 || K !== K2)
    throw new RangeError(`depthwiseConv2d: weight must be [C, 1, K, K], got ${shapeStr(weight.shape)}`);
  if (x.ndim !== 4 || x.shape[1] !== C)
    throw new RangeError(
      `depthwiseConv2d: input ${shapeStr(x.shape)} does not match ${C} channels (expects [N, ${C}, H, W])`,
    );
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== C))
    throw new RangeError(`depthwiseConv2d: bias ${shapeStr(bias.shape)} does not match ${C} channels`);
  const [N, , H, W] = x.shape as [number, number, number, number];
  if (H + 2 * pad < K || W + 2 * pad < K)
    throw new RangeError(`depthwiseConv2d: kernel ${K}x${K} larger than padded input ${H}x${W}`);
  const OH = conv2dOutputSize(H, K, stride, pad);
  const OW = conv2dOutputSize(W, K, stride, pad);
  const y = new Tensor(uninitializedF32(N * C * OH * OW), [N, C, OH, OW]);
  kernels().depthwiseConv2dForward(x.data, weight.data, bias ? bias.data : null, y.data, N, C, H, W, K, stride, pad);
  if (!needsGrad(x, weight, bias)) return y;
  return record(y, 'depthwiseConv2d', bias ? [x, weight, bias] : [x, weight], (g) => {
    const dw = gradTarget(weight);
    const db = bias ? gradTarget(bias) : null;
    const filter = (buf: Float32Array, acc: boolean, b: Float32Array | null) =>
      kernels().depthwiseConv2dBackwardFilter(g, x.data, buf, b, N, C, H, W, K, stride, pad, acc);
    if (dw && db && dw.accumulate !== db.accumulate) {
      filter(dw.buf, dw.accumulate, null);
      filter(new Float32Array(C * K * K), db.accumulate, db.buf);
    } else if (dw) filter(dw.buf, dw.accumulate, db?.buf ?? null);
    else if (db) filter(new Float32Array(C * K * K), db.accumulate, db.buf);
    if (x.requiresGrad) {
      const dx = uninitializedF32(x.size);
      kernels().depthwiseConv2dBackwardData(g, weight.data, dx, N, C, H, W, K, stride, pad);
      accumulateGrad(x, dx);
    }
  });
}
