// Training on the synthetic vector tasks through the shared training loop: the training split in a seeded order
// (the last batch of an epoch may be smaller), MSE or cross-entropy, the optimizer and length of the hyperparameters
// (the paper's: Adam 1e-3, batch 32). Masked weights stay zero (the optimizer honours parameter masks).
import { Tensor } from '../../engine/tensor.js';
import { hashString } from '../../engine/rng.js';
import { noGrad } from '../../engine/autograd.js';
import { mse, softmaxCrossEntropy } from '../../engine/ops/loss.js';
import { TensorDataset } from '../../data/tensor-dataset.js';
import { buildOptimizer } from '../../nn/optim/build.js';
import type { Module } from '../../nn/module.js';
import { onEveryStep } from '../../training/callbacks.js';
import { crossEntropy, meanSquaredError } from '../../training/loss.js';
import { trainLoop } from '../../training/loop.js';
import { iterations, planTraining } from '../../training/plan.js';
import { validateTraining } from '../../hparams/validate.js';
import { scoreOutputs, type Score } from './score.js';
import type { Split, Task } from './tasks.js';
import { PLANTED_DEFAULTS, type PlantedTraining } from './hparams.js';

export interface TrainOptions extends Partial<PlantedTraining> {
  seed: number;
  /** Name of an independent batch order for this seed (e.g. one per multishot round). */
  stream?: string;
  signal?: AbortSignal;
}

/** Rows `idx` of a split as a batch: inputs [b, inDim] and targets. */
export function gather(
  task: Pick<Task, 'inDim' | 'outDim' | 'kind'>,
  split: Split,
  idx: Int32Array,
): { x: Tensor; y: Float32Array | Int32Array } {
  const { x, y } = splitDataset(task, split, 'batch').batch(idx);
  return { x: new Tensor(x, [idx.length, task.inDim]), y };
}

function splitDataset(task: Pick<Task, 'inDim'>, split: Split, name: string): TensorDataset {
  return new TensorDataset(name, split.x, split.y, [task.inDim]);
}

/** The task's loss of the model's outputs on a batch (a scalar tensor in the graph). */
export function taskLoss(task: Pick<Task, 'kind'>, out: Tensor, y: Float32Array | Int32Array): Tensor {
  return task.kind === 'classification' ? softmaxCrossEntropy(out, y as Int32Array) : mse(out, y as Float32Array);
}

/** Trains in place; returns the number of steps and the mean training loss of the last epoch. */
export async function trainOnTask(
  model: Module,
  task: Task,
  o: TrainOptions,
): Promise<{ steps: number; trainLoss: number }> {
  const h = { dataset: o.dataset ?? PLANTED_DEFAULTS.dataset, training: o.training ?? PLANTED_DEFAULTS.training };
  validateTraining(h.training);
  const data = splitDataset(task, task.train, `${task.name}/train`);
  const seed = o.stream ? hashString(`${o.seed}/${o.stream}`) & 0x7fffffff : o.seed;
  if (iterations(h.training.steps, Math.ceil(data.size / h.dataset.batchSize)) === 0)
    return { steps: 0, trainLoss: NaN };
  const plan = planTraining(h, data.size, seed);
  const ipe = plan.iterationsPerEpoch;
  const batch = h.dataset.batchSize;
  // Per-sample loss sums of the current and the last finished epoch (batch means weighted by batch size).
  let sum = 0;
  let count = 0;
  let lastEpoch = NaN;
  const progress = onEveryStep((s) => {
    const n = s.step % ipe === 0 ? data.size - (ipe - 1) * batch : batch;
    sum += s.loss * n;
    count += n;
    if (s.step % ipe === 0 || s.step === plan.endStep) {
      lastEpoch = sum / count;
      sum = 0;
      count = 0;
    }
  });
  await trainLoop({
    model,
    optimizer: buildOptimizer(model.parameters(), h.training),
    data,
    sampler: plan.sampler,
    loss: task.kind === 'classification' ? crossEntropy : meanSquaredError,
    schedule: plan.schedule,
    startStep: 0,
    endStep: plan.endStep,
    callbacks: [progress],
    signal: o.signal,
  });
  return { steps: plan.endStep, trainLoss: lastEpoch };
}

/** Network outputs for a whole split, [n, outDim]. */
export function predict(model: Module, task: Pick<Task, 'inDim'>, split: Split): Float32Array {
  model.eval();
  return noGrad(() => model.forward(new Tensor(split.x, [split.n, task.inDim]))).data;
}

export function evaluate(model: Module, task: Task, split: Split): Score {
  return scoreOutputs(task, predict(model, task, split), split);
}
