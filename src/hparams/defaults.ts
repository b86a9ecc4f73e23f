// Defaults for every hyperparameter of a model: the base below, overridden by the model family's paper defaults
// (src/models/*.ts, e.g. LeNet's Adam 1.2e-3 and 50K iterations).
import { familyOf } from '../models/registry.js';
import type { FamilyDefaults } from '../models/family.js';
import { impliedBiasInit, type InitName } from '../nn/init.js';
import type { DatasetHparams, LotteryHparams, PruningHparams, TrainHparams, TrainingHparams } from './groups.js';

const BASE_DATASET: DatasetHparams = {
  name: '',
  tokenizer: 'bytes',
  seqLen: 64,
  batchSize: 60,
  augment: false,
  validation: 0,
};

const BASE_TRAINING: TrainingHparams = {
  optimizer: 'adam',
  lr: 1e-3,
  steps: '10000it',
  momentum: 0,
  beta1: 0.9,
  beta2: 0.999,
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

/** The family's defaults (which also validates the name). */
function familyDefaults(model: string): FamilyDefaults {
  const { family, args } = familyOf(model);
  return family.defaults(model, args);
}

/** Defaults of a training run of `model`. */
export function trainDefaults(model: string): TrainHparams {
  const defaults = familyDefaults(model);
  return {
    dataset: { ...BASE_DATASET, ...defaults.dataset },
    model: { model, init: defaults.init, biasInit: defaults.biasInit ?? impliedBiasInit(defaults.init) },
    training: { ...BASE_TRAINING, ...defaults.training },
  };
}

/** Defaults of a lottery experiment on `model`. */
export function lotteryDefaults(model: string): LotteryHparams {
  return { ...trainDefaults(model), pruning: { ...BASE_PRUNING, ...familyDefaults(model).pruning } };
}

/**
 * The defaults a run is named against: today's, with each default that changed put back to its earlier value (the
 * family's `earlier`; the bias init, which before `--bias-init` was the one the run's `init` implies). So a run
 * stored under an old default keeps its name, a run of the new default gets a new one, and a stored run that lacks a
 * field added since is filled with the value that reproduces what it did.
 */
export function namingDefaults(model: string, init?: InitName): LotteryHparams {
  const d = lotteryDefaults(model);
  const earlier = familyDefaults(model).earlier;
  return {
    ...d,
    model: { ...d.model, biasInit: impliedBiasInit(init ?? d.model.init) },
    training: { ...d.training, ...earlier?.training },
  };
}

/** Training defaults of a study that sets its own (the planted study's Adam, batch 32, 10 epochs). */
export function studyTrainingDefaults(overrides: Partial<TrainingHparams>): TrainingHparams {
  return { ...BASE_TRAINING, ...overrides };
}
