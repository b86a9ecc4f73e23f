// Evaluation: mean loss and accuracy over a dataset, without recording a graph, in eval mode. Class labels count
// per sample; token targets (several per sample, -100 = not scored) count per scored token, so a language model's
// loss is the mean over its scored tokens and its perplexity is exp(loss).
import { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/autograd.js';
import { countCorrect } from '../engine/ops/loss.js';
import type { Dataset, Targets } from '../data/types.js';
import { ImageDataset } from '../data/dataset.js';
import type { Module } from '../nn/module.js';
import { DataError } from '../util/errors.js';
import { inputBatch } from './input-batch.js';
import { crossEntropy, type LossFn } from './loss.js';

export interface EvalResult {
  loss: number;
  /** Fraction of samples (or scored tokens) whose largest output is the target; null for regression targets. */
  accuracy: number | null;
  /** Samples, or scored tokens. */
  examples: number;
}

const IGNORED = -100;

/** Scored positions and correct ones, for token targets: rows of `out` are positions, one target per row. */
function tokenCounts(out: Tensor, y: Int32Array): { scored: number; correct: number } {
  const V = out.shape[out.ndim - 1]!;
  const d = out.data;
  let scored = 0;
  let correct = 0;
  for (let r = 0; r < y.length; r++) {
    if (y[r] === IGNORED) continue;
    scored++;
    let best = 0;
    for (let c = 1; c < V; c++) if (d[r * V + c]! > d[r * V + best]!) best = c;
    if (best === y[r]) correct++;
  }
  return { scored, correct };
}

/** Scored examples in a batch of n samples and the correct ones (null: targets are values, not classes). */
function batchCounts(out: Tensor, y: Targets, n: number): { count: number; correct: number | null } {
  if (!(y instanceof Int32Array)) return { count: n, correct: null };
  if (y.length === n) return { count: n, correct: countCorrect(out, y) };
  const t = tokenCounts(out, y);
  return { count: t.scored, correct: t.correct };
}

function tensorBatch(data: Dataset, ids: Int32Array): { x: Tensor; y: Targets } {
  const { x, y } = data.batch(ids);
  return { x: new Tensor(x, [ids.length, ...data.sampleShape]), y };
}

export function evaluate(model: Module, data: Dataset, loss: LossFn = crossEntropy, batchSize = 1000): EvalResult {
  if (data.size === 0) throw new DataError(`${data.name} is empty: nothing to evaluate on`);
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0;
  let correct = 0;
  let examples = 0;
  let classification = true;
  const idx = new Int32Array(Math.min(batchSize, data.size));
  // Image batches are gathered into one reused buffer, in the first layer's layout (input-batch.ts).
  const buf =
    data instanceof ImageDataset
      ? { x: new Float32Array(idx.length * data.sampleSize), y: new Int32Array(idx.length) }
      : null;
  try {
    noGrad(() => {
      for (let start = 0; start < data.size; start += batchSize) {
        const n = Math.min(batchSize, data.size - start);
        const ids = idx.subarray(0, n);
        for (let i = 0; i < n; i++) ids[i] = start + i;
        const { x, y } =
          data instanceof ImageDataset && buf ? inputBatch(model, data, ids, buf) : tensorBatch(data, ids);
        const out = model.forward(x);
        const c = batchCounts(out, y, n);
        if (c.count === 0) continue;
        lossSum += loss(out, y).item() * c.count;
        examples += c.count;
        if (c.correct === null) classification = false;
        else correct += c.correct;
      }
    });
  } finally {
    model.train(wasTraining);
  }
  if (examples === 0) throw new DataError(`${data.name} has no scored targets: nothing to evaluate on`);
  return { loss: lossSum / examples, accuracy: classification ? correct / examples : null, examples };
}
