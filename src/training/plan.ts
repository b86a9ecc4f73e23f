// Turns training hyperparameters into what the loop runs on: the batch order, the number of steps, the learning-rate
// schedule and the evaluation cadence, all in iterations of this dataset at this batch size.
import { BatchSampler } from '../data/sampler.js';
import { augmentBatch } from '../data/augment.js';
import type { ImageDataset } from '../data/dataset.js';
import { Rng } from '../engine/rng.js';
import { validateSchedule, type ScheduleConfig } from '../nn/schedule.js';
import type { DatasetHparams, TrainingHparams } from '../hparams/groups.js';
import { ConfigError } from '../util/errors.js';
import { parseSteps, toIterations } from '../util/steps.js';
import type { Augment } from './step.js';

export interface TrainingPlan {
  sampler: BatchSampler;
  iterationsPerEpoch: number;
  /** Total iterations of the run. */
  endStep: number;
  schedule: ScheduleConfig;
  /** Evaluate every this many iterations (0: only at the start and the end). */
  evalEvery: number;
}

/** A step string in iterations of this run. */
export function iterations(steps: string, iterationsPerEpoch: number, flag = '--steps'): number {
  return toIterations(parseSteps(steps, flag), iterationsPerEpoch);
}

export function planTraining(
  h: { dataset: Pick<DatasetHparams, 'batchSize'>; training: TrainingHparams },
  trainSize: number,
  seed: number,
): TrainingPlan {
  const t = h.training;
  if (h.dataset.batchSize > trainSize)
    throw new ConfigError(
      `--batch-size ${h.dataset.batchSize} is larger than the training set (${trainSize} examples)`,
    );
  const sampler = new BatchSampler(trainSize, h.dataset.batchSize, seed);
  const ipe = sampler.iterationsPerEpoch;
  const endStep = iterations(t.steps, ipe);
  if (endStep < 1) throw new ConfigError('--steps must be at least 1 iteration');
  const warmupSteps = iterations(t.warmup, ipe, '--warmup');
  const schedule: ScheduleConfig = {
    warmupSteps,
    milestones: t.milestones.map((m) => iterations(m, ipe, '--milestones')),
    gamma: t.gamma,
    cosineSteps: t.cosine ? endStep - warmupSteps : undefined,
  };
  if (t.cosine && endStep <= warmupSteps) throw new ConfigError('--cosine needs --steps longer than --warmup');
  validateSchedule(schedule);
  return {
    sampler,
    iterationsPerEpoch: ipe,
    endStep,
    schedule,
    evalEvery: iterations(t.evalEvery, ipe, '--eval-every'),
  };
}

/**
 * Random crop and flip of image batches when the hyperparameters ask for it. Each step draws from its own seeded
 * stream, so a resumed run augments exactly as an uninterrupted one.
 */
export function augmentation(
  h: Pick<DatasetHparams, 'augment'>,
  data: ImageDataset,
  seed: number,
): Augment | undefined {
  if (!h.augment) return undefined;
  const [C, H, W] = data.shape;
  const fill = Array.from(data.normalizedZero());
  return (x, n, step) => augmentBatch(x, n, C, H, W, Rng.stream(seed, `augment/${step}`), { fill });
}
