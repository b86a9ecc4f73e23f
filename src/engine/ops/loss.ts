// Losses, each returning a one-element tensor: fused softmax cross-entropy (mean over the batch; over sequences
// with an ignore index) and MSE.
import { kernels } from '../kernels.js';
import { Tensor, accumulateGrad, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { batchMajor } from './layout.js';
import { uninitializedF32 } from '../buffers.js';

export function softmaxCrossEntropy(input: Tensor, labels: Int32Array): Tensor {
  const logits = batchMajor(input);
  if (logits.ndim !== 2)
    throw new RangeError(`softmaxCrossEntropy: logits must be [N, C], got ${shapeStr(logits.shape)}`);
  const [N, C] = logits.shape as [number, number];
  if (labels.length !== N) throw new RangeError(`softmaxCrossEntropy: ${labels.length} labels for ${N} rows`);
  const probs = uninitializedF32(N * C);
  const loss = Tensor.from([kernels().softmaxCrossEntropyForward(logits.data, labels, probs, N, C)], [1]);
  if (!needsGrad(logits)) return loss;
  return record(loss, 'softmaxCrossEntropy', [logits], (g) => {
    const dz = uninitializedF32(N * C);
    kernels().softmaxCrossEntropyBackward(probs, labels, dz, N, C, g[0]!);
    accumulateGrad(logits, dz);
  });
}

export interface CrossEntropyOptions {
  /** Targets equal to this count for nothing (PyTorch's ignore_index, default -100); may be a real class (a pad id). */
  ignoreIndex?: number;
  /**
   * Log-sum-exp and loss in double, the logits cast to double first (the grokking reference computes its loss on
   * float64 logits): a confident row keeps a loss and a gradient of 1e-10 instead of exactly 0.
   */
  float64?: boolean;
}

/**
 * Mean cross-entropy over the rows of logits [..., V] (e.g. [B, S, V]) whose target is not ignoreIndex; targets
 * hold one class per row. With every target ignored the mean is 0/0 = NaN and the gradient zero, as in PyTorch.
 */
export function crossEntropy(input: Tensor, targets: Int32Array, opts: CrossEntropyOptions = {}): Tensor {
  const logits = batchMajor(input);
  if (logits.ndim < 1) throw new RangeError('crossEntropy: logits need at least one dimension');
  const V = logits.shape[logits.ndim - 1]!;
  const N = V === 0 ? 0 : logits.size / V;
  if (targets.length !== N)
    throw new RangeError(`crossEntropy: ${targets.length} targets for ${N} rows of ${shapeStr(logits.shape)}`);
  const ignore = opts.ignoreIndex ?? -100;
  if (!Number.isInteger(ignore)) throw new RangeError(`crossEntropy: ignoreIndex must be an integer, got ${ignore}`);
  const f64 = opts.float64 ?? false;
  let counted = 0;
  for (const t of targets) if (t !== ignore) counted++;
  const lse = new Float64Array(N);
  const total = kernels().crossEntropyForward(logits.data, targets, lse, N, V, ignore, f64);
  const loss = Tensor.from([total / counted], [1]);
  if (!needsGrad(logits)) return loss;
  const t = targets.slice();
  return record(loss, 'crossEntropy', [logits], (g) => {
    const dz = uninitializedF32(logits.size);
    const scale = counted === 0 ? 0 : g[0]! / counted;
    kernels().crossEntropyBackward(logits.data, t, lse, dz, N, V, ignore, scale, f64);
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
