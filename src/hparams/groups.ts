// Hyperparameters as typed groups, as in OpenLTH: dataset, model, training, pruning. Every field has a CLI flag
// (see fields.ts) and a per-model default from the papers (see defaults.ts).
import type { InitName } from '../nn/init.js';
import type { OptimizerName } from '../training/optimizer-config.js';

export interface DatasetHparams {
  batchSize: number;
  /** Random crop (pad 4) + horizontal flip on training batches (CIFAR-10). */
  augment: boolean;
  /** Training examples held out for early stopping (0: none; the test set then stands in). */
  validation: number;
}

export interface ModelHparams {
  model: string;
  init: InitName;
}

export interface TrainingHparams {
  optimizer: OptimizerName;
  lr: number;
  /** Step string: `50000it`, `160ep`, … */
  steps: string;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  /** Step strings at which lr is multiplied by gamma. */
  milestones: string[];
  gamma: number;
  warmup: string;
  /** Evaluate validation and test sets every this many iterations. */
  evalEvery: number;
}

export type PruningStrategy = 'layerwise' | 'global';

export interface PruningHparams {
  strategy: PruningStrategy;
  /** Fraction of surviving fc weights pruned per level (layerwise), or of all non-ignored weights (global). */
  rate: number;
  /** Layerwise: rate for conv weights. */
  convRate: number;
  /** Layerwise: rate for the output layer (the paper: half the fc rate). */
  outputRate: number;
  /** Global: weights left out of pruning (dotted names). */
  ignore: string[];
  /**
   * 0: prune by the per-level rates. Otherwise the density reached after the last level, approached
   * geometrically (one-shot pruning to it with --levels 1); layerwise kinds keep their relative rates.
   */
  targetDensity: number;
}

export interface LotteryHparams {
  dataset: DatasetHparams;
  model: ModelHparams;
  training: TrainingHparams;
  pruning: PruningHparams;
  /** Rewind point: `0it` resets to θ0; `500it` rewinds to the weights after 500 iterations. */
  rewind: string;
}
