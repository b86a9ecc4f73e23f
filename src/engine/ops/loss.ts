// Losses, each returning a one-element tensor: fused softmax cross-entropy (mean over the batch) and MSE.
import { kernels } from '../kernels.js';
import { Tensor, accumulateGrad, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { batchMajor } from './layout.js';

export function softmaxCrossEntropy(input: Tensor, labels: Int32Array): Tensor {
  const logits = batchMajor(input);
  if (logits.ndim !== 2)
    throw new RangeError(`softmaxCrossEntropy: logits must be [N, C], got ${shapeStr(logits.shape)}`);
  const [N, C] = logits.shape as [number, number];
  if (labels.length !== N) throw new RangeError(`softmaxCrossEntropy: ${labels.length} labels for ${N} rows`);
  const probs = new Float32Array(N * C);
  const loss = Tensor.from([kernels().softmaxCrossEntropyForward(logits.data, labels, probs, N, C)], [1]);
  if (!needsGrad(logits)) return loss;
  return record(loss, 'softmaxCrossEntropy', [logits], (g) => {
    const dz = new Float32Array(N * C);
    kernels().softmaxCrossEntropyBackward(probs, labels, dz, N, C, g[0]!);
    accumulateGrad(logits, dz);
  });
}

export function mse(input: Tensor, target: Float32Array): Tensor {
  const pred = batchMajor(input);
  if (target.length !== pred.size)
    throw new RangeError(`mse: target has ${target.length} values, prediction ${pred.size}`);
  const loss = Tensor.from([kernels().mseForward(pred.data, target, pred.size)], [1]);
  if (!needsGrad(pred)) return loss;
  return record(loss, 'mse', [pred], (g) => {
    const d = new Float32Array(pred.size);
    kernels().mseBackward(pred.data, target, d, pred.size, g[0]!);
    accumulateGrad(pred, d);
  });
}

/** Number of rows whose largest logit is the label. */
export function countCorrect(input: Tensor, labels: Int32Array): number {
  const logits = batchMajor(input);
  const [N, C] = logits.shape as [number, number];
  return kernels().countCorrect(logits.data, labels, N, C);
}
