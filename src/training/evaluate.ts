// Evaluation: mean loss and accuracy over a dataset, without recording a graph, in eval mode.
import { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/autograd.js';
import { softmaxCrossEntropy, countCorrect } from '../engine/ops/loss.js';
import type { ImageDataset } from '../data/dataset.js';
import type { Module } from '../nn/module.js';

export interface EvalResult {
  loss: number;
  accuracy: number;
  examples: number;
}

export function evaluate(model: Module, data: ImageDataset, batchSize = 1000): EvalResult {
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0;
  let correct = 0;
  const [C, H, W] = data.shape;
  const idx = new Int32Array(Math.min(batchSize, data.size));
  try {
    noGrad(() => {
      for (let start = 0; start < data.size; start += batchSize) {
        const n = Math.min(batchSize, data.size - start);
        const ids = idx.subarray(0, n);
        for (let i = 0; i < n; i++) ids[i] = start + i;
        const { x, y } = data.batch(ids);
        const logits = model.forward(new Tensor(x, [n, C, H, W]));
        lossSum += softmaxCrossEntropy(logits, y).item() * n;
        correct += countCorrect(logits, y);
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: lossSum / data.size, accuracy: correct / data.size, examples: data.size };
}
