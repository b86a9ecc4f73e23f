// Training on the synthetic vector tasks as in the paper: Adam (lr 1e-3), batch 32, a fixed number of epochs over
// the training split in a seeded order (the last batch may be smaller), MSE or cross-entropy. Masked weights stay
// zero (the optimizer honours parameter masks).
import { Tensor } from '../../engine/tensor.js';
import { Rng } from '../../engine/rng.js';
import { backward, noGrad } from '../../engine/autograd.js';
import { mse, softmaxCrossEntropy } from '../../engine/ops/loss.js';
import { Adam } from '../../nn/optim/adam.js';
import type { Module } from '../../nn/module.js';
import { DivergenceError } from '../../util/errors.js';
import { scoreOutputs, type Score } from './score.js';
import type { Split, Task } from './tasks.js';

export interface TrainOptions {
  epochs: number;
  seed: number;
  batchSize?: number;
  lr?: number;
  /** Name of the batch-order stream (default 'planted-batches'): distinct names give independent orders. */
  stream?: string;
  onEpoch?: (epoch: number, meanLoss: number) => void;
}

/** Rows `idx` of a split as a batch: inputs [b, inDim] and targets. */
export function gather(task: Pick<Task, 'inDim' | 'outDim' | 'kind'>, split: Split, idx: ArrayLike<number>): { x: Tensor; y: Float32Array | Int32Array } {
  const b = idx.length;
  const x = new Float32Array(b * task.inDim);
  const per = task.kind === 'classification' ? 1 : task.outDim;
  const y = task.kind === 'classification' ? new Int32Array(b) : new Float32Array(b * per);
  for (let r = 0; r < b; r++) {
    const i = idx[r]!;
    x.set(split.x.subarray(i * task.inDim, (i + 1) * task.inDim), r * task.inDim);
    y.set(split.y.subarray(i * per, (i + 1) * per), r * per);
  }
  return { x: new Tensor(x, [b, task.inDim]), y };
}

/** The task's loss of the model's outputs on a batch (a scalar tensor in the graph). */
export function taskLoss(task: Pick<Task, 'kind'>, out: Tensor, y: Float32Array | Int32Array): Tensor {
  return task.kind === 'classification' ? softmaxCrossEntropy(out, y as Int32Array) : mse(out, y as Float32Array);
}

/** Trains in place; returns the mean training loss of the last epoch and the number of steps. */
export function trainOnTask(model: Module, task: Task, opts: TrainOptions): { steps: number; trainLoss: number } {
  const batch = opts.batchSize ?? 32;
  const opt = new Adam(model.parameters(), { lr: opts.lr ?? 1e-3 });
  const rng = Rng.stream(opts.seed, opts.stream ?? 'planted-batches');
  const order = Int32Array.from({ length: task.train.n }, (_, i) => i);
  model.train();
  let steps = 0;
  let last = NaN;
  for (let e = 0; e < opts.epochs; e++) {
    rng.shuffle(order);
    let sum = 0;
    let count = 0;
    for (let s = 0; s < order.length; s += batch) {
      const { x, y } = gather(task, task.train, order.subarray(s, Math.min(s + batch, order.length)));
      opt.zeroGrad();
      const loss = taskLoss(task, model.forward(x), y);
      const v = loss.item();
      if (!Number.isFinite(v)) throw new DivergenceError(`training diverged at epoch ${e + 1} (loss ${v})`);
      backward(loss);
      opt.step();
      sum += v * x.shape[0]!;
      count += x.shape[0]!;
      steps++;
    }
    last = sum / count;
    opts.onEpoch?.(e + 1, last);
  }
  return { steps, trainLoss: last };
}

/** Network outputs for a whole split, [n, outDim]. */
export function predict(model: Module, task: Pick<Task, 'inDim'>, split: Split): Float32Array {
  model.eval();
  return noGrad(() => model.forward(new Tensor(split.x, [split.n, task.inDim]))).data;
}

export function evaluate(model: Module, task: Task, split: Split): Score {
  return scoreOutputs(task, predict(model, task, split), split);
}
