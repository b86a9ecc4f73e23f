// Evaluation: mean loss (and accuracy, for class labels) over a dataset, without recording a graph, in eval mode.
import { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/autograd.js';
import { countCorrect } from '../engine/ops/loss.js';
import type { Dataset } from '../data/types.js';
import type { Module } from '../nn/module.js';
import { DataError } from '../util/errors.js';
import { crossEntropy, type LossFn } from './loss.js';

export interface EvalResult {
  loss: number;
  /** Fraction of samples whose largest output is the label; null for regression targets. */
  accuracy: number | null;
  examples: number;
}

export function evaluate(model: Module, data: Dataset, loss: LossFn = crossEntropy, batchSize = 1000): EvalResult {
  if (data.size === 0) throw new DataError(`${data.name} is empty: nothing to evaluate on`);
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0;
  let correct = 0;
  let classification = true;
  const idx = new Int32Array(Math.min(batchSize, data.size));
  try {
    noGrad(() => {
      for (let start = 0; start < data.size; start += batchSize) {
        const n = Math.min(batchSize, data.size - start);
        const ids = idx.subarray(0, n);
        for (let i = 0; i < n; i++) ids[i] = start + i;
        const { x, y } = data.batch(ids);
        const out = model.forward(new Tensor(x, [n, ...data.sampleShape]));
        lossSum += loss(out, y).item() * n;
        if (y instanceof Int32Array) correct += countCorrect(out, y);
        else classification = false;
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: lossSum / data.size, accuracy: classification ? correct / data.size : null, examples: data.size };
}
