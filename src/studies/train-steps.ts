// A fixed number of training steps through the shared loop, as the language-model studies (KS-Lottery, LTP) train:
// seeded batches, a constant learning rate, progress per step, no checkpoints (each stage is short and stored whole).
import { BatchSampler } from '../data/sampler.js';
import type { Dataset } from '../data/types.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../nn/optim/optimizer.js';
import { onEveryStep } from '../training/callbacks.js';
import { trainLoop, type Callback } from '../training/loop.js';
import type { LossFn } from '../training/loss.js';

export interface StudyTrainOptions {
  steps: number;
  lr: number;
  batchSize: number;
  seed: number;
  signal?: AbortSignal;
  onStep?: (step: number, total: number) => void;
}

/** Trains `o.steps` steps; `extra` adds callbacks that need the sampler. Returns the seconds spent in steps. */
export async function trainSteps(
  model: Module,
  data: Dataset,
  optimizer: Optimizer,
  loss: LossFn,
  o: StudyTrainOptions,
  extra: (sampler: BatchSampler) => Callback[] = () => [],
): Promise<number> {
  const sampler = new BatchSampler(data.size, Math.min(o.batchSize, data.size), o.seed);
  const r = await trainLoop({
    model,
    optimizer,
    data,
    sampler,
    loss,
    schedule: {},
    startStep: 0,
    endStep: o.steps,
    callbacks: [...extra(sampler), onEveryStep((s) => o.onStep?.(s.step, o.steps))],
    signal: o.signal,
  });
  return r.seconds;
}
