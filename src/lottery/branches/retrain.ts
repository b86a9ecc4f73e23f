// Retraining the ticket (same mask, same start) with other training hyperparameters, given as `--retrain-*` flags.
// Its directory is named by the hash of the hyperparameters that differ from the trunk's.
import type { Branch } from './branch.js';

export const retrain: Branch = {
  name: 'retrain',
  series: 'retrain',
  description: 'same mask and initialization, other training hyperparameters (--retrain-* flags)',
  ownTraining: true,
};
