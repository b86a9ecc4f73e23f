// Per-model training defaults taken from the papers (../shared/reference/papers.md §1, OpenLTH's defaults where the
// paper is silent). Every value can be overridden from the CLI.
import type { OptimizerName } from '../training/optimizer-config.js';
import type { InitName } from '../nn/init.js';

export interface TrainingDefaults {
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  /** Step string, e.g. `50000it`. */
  steps: string;
  momentum: number;
  weightDecay: number;
  /** Fractions of the run at which lr is multiplied by gamma. */
  milestoneFractions: number[];
  gamma: number;
  warmupSteps: number;
  augment: boolean;
  init?: InitName;
}

const base = { momentum: 0, weightDecay: 0, milestoneFractions: [], gamma: 0.1, warmupSteps: 0 };

export function trainingDefaults(model: string): TrainingDefaults {
  if (model.startsWith('mnist_lenet')) return { ...base, optimizer: 'adam', lr: 1.2e-3, batchSize: 60, steps: '50000it', augment: false };
  if (model === 'cifar_conv_2') return { ...base, optimizer: 'adam', lr: 2e-4, batchSize: 60, steps: '20000it', augment: false };
  if (model === 'cifar_conv_4') return { ...base, optimizer: 'adam', lr: 3e-4, batchSize: 60, steps: '25000it', augment: false };
  if (model === 'cifar_conv_6') return { ...base, optimizer: 'adam', lr: 3e-4, batchSize: 60, steps: '30000it', augment: false };
  if (model.startsWith('cifar_resnet'))
    return { ...base, optimizer: 'sgd', lr: 0.1, batchSize: 128, steps: '30000it', momentum: 0.9, weightDecay: 1e-4, milestoneFractions: [0.5, 0.75], augment: true };
  if (model.startsWith('cifar_vgg'))
    return { ...base, optimizer: 'sgd', lr: 0.1, batchSize: 64, steps: '112000it', momentum: 0.9, weightDecay: 1e-4, milestoneFractions: [0.5, 0.75], augment: true };
  return { ...base, optimizer: 'adam', lr: 1e-3, batchSize: 60, steps: '10000it', augment: false };
}
