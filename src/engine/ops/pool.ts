// Pooling over NCHW tensors: max (records argmax for the backward scatter), average, and global average.
import { kernels } from '../kernels.js';
import { Tensor, accumulateGrad, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { conv2dOutputSize } from './conv.js';
import { uninitializedF32, uninitializedI32 } from '../buffers.js';

function dims4(op: string, x: Tensor): [number, number, number, number] {
  if (x.ndim !== 4) throw new RangeError(`${op}: input must be 4-D [N, C, H, W], got ${shapeStr(x.shape)}`);
  return x.shape as [number, number, number, number];
}

function checkWindow(op: string, H: number, W: number, k: number, stride: number, pad: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${op}: kernel size must be a positive integer, got ${k}`);
  if (!Number.isInteger(stride) || stride < 1)
    throw new RangeError(`${op}: stride must be a positive integer, got ${stride}`);
  if (!Number.isInteger(pad) || pad < 0 || 2 * pad > k)
    throw new RangeError(`${op}: padding must be in [0, kernel/2], got ${pad}`);
  if (H + 2 * pad < k || W + 2 * pad < k) throw new RangeError(`${op}: kernel ${k} larger than padded input ${H}x${W}`);
}

export function maxPool2d(x: Tensor, kernel: number, stride = kernel, padding = 0): Tensor {
  const [N, C, H, W] = dims4('maxPool2d', x);
  checkWindow('maxPool2d', H, W, kernel, stride, padding);
  const OH = conv2dOutputSize(H, kernel, stride, padding);
  const OW = conv2dOutputSize(W, kernel, stride, padding);
  const y = new Tensor(uninitializedF32(N * C * OH * OW), [N, C, OH, OW]);
  const argmax = uninitializedI32(y.size);
  kernels().maxPool2dForward(x.data, y.data, argmax, N, C, H, W, kernel, stride, padding);
  if (!needsGrad(x)) return y;
  return record(y, 'maxPool2d', [x], (g) => {
    const dx = uninitializedF32(x.size);
    kernels().maxPool2dBackward(g, argmax, dx, N, C, H, W, kernel, stride, padding);
    accumulateGrad(x, dx);
  });
}

export function avgPool2d(x: Tensor, kernel: number, stride = kernel, padding = 0): Tensor {
  const [N, C, H, W] = dims4('avgPool2d', x);
  checkWindow('avgPool2d', H, W, kernel, stride, padding);
  const OH = conv2dOutputSize(H, kernel, stride, padding);
  const OW = conv2dOutputSize(W, kernel, stride, padding);
  const y = new Tensor(uninitializedF32(N * C * OH * OW), [N, C, OH, OW]);
  kernels().avgPool2dForward(x.data, y.data, N, C, H, W, kernel, stride, padding);
  if (!needsGrad(x)) return y;
  return record(y, 'avgPool2d', [x], (g) => {
    const dx = uninitializedF32(x.size);
    kernels().avgPool2dBackward(g, dx, N, C, H, W, kernel, stride, padding);
    accumulateGrad(x, dx);
  });
}

/** Mean over each channel's plane: [N, C, H, W] → [N, C]. */
export function globalAvgPool(x: Tensor): Tensor {
  const [N, C, H, W] = dims4('globalAvgPool', x);
  const hw = H * W;
  const y = new Tensor(new Float32Array(N * C), [N, C]);
  const xd = x.data;
  for (let p = 0; p < N * C; p++) {
    let s = 0;
    const off = p * hw;
    for (let i = 0; i < hw; i++) s += xd[off + i]!;
    y.data[p] = s / hw;
  }
  if (!needsGrad(x)) return y;
  return record(y, 'globalAvgPool', [x], (g) => {
    const dx = new Float32Array(x.size);
    for (let p = 0; p < N * C; p++) dx.fill(g[p]! / hw, p * hw, (p + 1) * hw);
    accumulateGrad(x, dx);
  });
}
