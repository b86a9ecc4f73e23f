// The planted study's training defaults (Fischer & Burkholz 2022, reference code): Adam 1e-3, batch 32, 10 epochs,
// no held-out validation and no evaluation during training. Every field is a flag of `seek`.
import { studyTrainingDefaults } from '../../hparams/defaults.js';
import type { DatasetHparams, TrainingHparams } from '../../hparams/groups.js';

export const PLANTED_DATASET: Pick<DatasetHparams, 'batchSize'> = { batchSize: 32 };

export const PLANTED_TRAINING: TrainingHparams = studyTrainingDefaults({
  optimizer: 'adam',
  lr: 1e-3,
  steps: '10ep',
  evalEvery: '0it',
});

/** Training epochs per multishot round (the paper's). */
export const MULTISHOT_EPOCHS = 5;

export interface PlantedTraining {
  dataset: Pick<DatasetHparams, 'batchSize'>;
  training: TrainingHparams;
}

export const PLANTED_DEFAULTS: PlantedTraining = { dataset: PLANTED_DATASET, training: PLANTED_TRAINING };

/**
 * Biases are pruned with the weights, ranked together (the reference's run commands pass `--prune-bias True`), so a
 * density counts weights and biases alike, as the reference's does.
 */
export const PRUNE_BIAS = true;

/**
 * SNIP and GraSP score on one batch of this many distinct training samples: the reference's prune set is
 * prune-dataset-ratio 10 × 4 "classes" = 40 samples drawn without replacement, served as one batch (its prune
 * batch size, 256, exceeds it). Multishot reuses the same 40 samples every round, as the reference does.
 */
export const PRUNE_SAMPLES = 40;
