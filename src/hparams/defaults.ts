// Defaults for every hyperparameter of a model: the base below, overridden by the model family's paper defaults
// (src/models/*.ts, e.g. LeNet's Adam 1.2e-3 and 50K iterations).
import { familyOf } from '../models/registry.js';
import type { FamilyDefaults } from '../models/family.js';
import type { DatasetHparams, LotteryHparams, PruningHparams, TrainHparams, TrainingHparams } from './groups.js';

const BASE_DATASET: DatasetHparams = { batchSize: 60, augment: false, validation: 0 };

const BASE_TRAINING: TrainingHparams = {
  optimizer: 'adam',
  lr: 1e-3,
  steps: '10000it',
  momentum: 0,
  nesterov: false,
  weightDecay: 0,
  milestones: [],
  gamma: 0.1,
  warmup: '0it',
  cosine: false,
  evalEvery: '100it', // the LTH paper evaluates every 100 iterations
};

const BASE_PRUNING: PruningHparams = {
  strategy: 'layerwise',
  rate: 0.2,
  convRate: 0.1,
  outputRate: 0.1,
  ignore: [],
  targetDensity: 0,
  rewind: '0it',
};

function familyDefaults(model: string): { defaults: FamilyDefaults; init: TrainHparams['model']['init'] } {
  const { family, args } = familyOf(model);
  const built = family.build(model, args); // validates the name
  return { defaults: family.defaults(model, args), init: built.defaultInit };
}

/** Defaults of a training run of `model`. */
export function trainDefaults(model: string): TrainHparams {
  const { defaults, init } = familyDefaults(model);
  return {
    dataset: { ...BASE_DATASET, ...defaults.dataset },
    model: { model, init },
    training: { ...BASE_TRAINING, ...defaults.training },
  };
}

/** Defaults of a lottery experiment on `model`. */
export function lotteryDefaults(model: string): LotteryHparams {
  return { ...trainDefaults(model), pruning: { ...BASE_PRUNING, ...familyDefaults(model).defaults.pruning } };
}

/** Training defaults of a study that sets its own (the planted study's Adam, batch 32, 10 epochs). */
export function studyTrainingDefaults(overrides: Partial<TrainingHparams>): TrainingHparams {
  return { ...BASE_TRAINING, ...overrides };
}
