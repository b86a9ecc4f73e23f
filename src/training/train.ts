// The training loop: seeded batches, forward, loss, backward, optimizer step, scheduled learning rate, periodic
// evaluation, and a hard stop with a clear error when the loss stops being finite.
import type { ImageDataset } from '../data/dataset.js';
import { BatchSampler } from '../data/sampler.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../nn/optim/optimizer.js';
import { lrAt, type ScheduleConfig } from '../nn/schedule.js';
import { trainStep, type Augment } from './step.js';
import { evaluate, type EvalResult } from './evaluate.js';

export interface TrainLoopConfig {
  steps: number;
  batchSize: number;
  /** Seed of the data-order stream. */
  seed: number;
  schedule?: ScheduleConfig;
  /** Evaluate every this many steps (0: only at the end). */
  evalEvery?: number;
  /** Data to evaluate on during training (e.g. a validation split); defaults to none. */
  evalData?: ImageDataset;
  /** Applied to each training batch in place (e.g. random crop + flip). */
  augment?: Augment;
}

export interface StepInfo {
  step: number;
  loss: number;
  lr: number;
}

export interface TrainHooks {
  onStep?(info: StepInfo): void;
  onEval?(step: number, result: EvalResult): void;
}

export interface TrainLoopResult {
  steps: number;
  seconds: number;
  examplesPerSecond: number;
  finalLoss: number;
  evals: { step: number; loss: number; accuracy: number }[];
}

export function trainLoop(
  model: Module,
  optimizer: Optimizer,
  data: ImageDataset,
  cfg: TrainLoopConfig,
  hooks: TrainHooks = {},
  sampler = new BatchSampler(data.size, cfg.batchSize, cfg.seed),
  startStep = 0,
): TrainLoopResult {
  const baseLr = optimizer.lr;
  const evals: TrainLoopResult['evals'] = [];
  let lastLoss = NaN;
  let trainSeconds = 0;
  let examples = 0;
  model.train();
  for (let step = startStep; step < cfg.steps; step++) {
    const t0 = process.hrtime.bigint();
    optimizer.lr = lrAt(baseLr, step, cfg.schedule ?? {});
    const r = trainStep(model, optimizer, data, sampler, step, cfg.augment);
    lastLoss = r.loss;
    examples += r.examples;
    trainSeconds += Number(process.hrtime.bigint() - t0) / 1e9;
    hooks.onStep?.({ step: step + 1, loss: lastLoss, lr: optimizer.lr });
    const every = cfg.evalEvery ?? 0;
    if (cfg.evalData && every > 0 && (step + 1) % every === 0) {
      const r = evaluate(model, cfg.evalData);
      evals.push({ step: step + 1, loss: r.loss, accuracy: r.accuracy });
      hooks.onEval?.(step + 1, r);
    }
  }
  optimizer.lr = baseLr;
  return {
    steps: cfg.steps - startStep,
    seconds: trainSeconds,
    examplesPerSecond: trainSeconds > 0 ? examples / trainSeconds : 0,
    finalLoss: lastLoss,
    evals,
  };
}
