// The loss a task trains on: softmax cross-entropy on class labels, mean squared error on target values.
import type { Tensor } from '../engine/tensor.js';
import { mse, softmaxCrossEntropy } from '../engine/ops/loss.js';
import type { Targets } from '../data/types.js';

export type LossFn = (out: Tensor, y: Targets) => Tensor;

export const crossEntropy: LossFn = (out, y) => {
  if (!(y instanceof Int32Array)) throw new TypeError('cross-entropy needs class labels (Int32Array)');
  return softmaxCrossEntropy(out, y);
};

export const meanSquaredError: LossFn = (out, y) => {
  if (!(y instanceof Float32Array)) throw new TypeError('mean squared error needs target values (Float32Array)');
  return mse(out, y);
};
