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
