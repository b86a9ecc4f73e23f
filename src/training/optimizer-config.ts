// Builds an optimizer from flat training hyperparameters.
import type { Parameter } from '../nn/parameter.js';
import { Adam, AdamW, SGD, type Optimizer } from '../nn/optim/index.js';
import { ConfigError } from '../util/errors.js';

export type OptimizerName = 'sgd' | 'adam' | 'adamw';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'adam', 'adamw'];

export interface OptimizerConfig {
  optimizer: OptimizerName;
  lr: number;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
}

export function buildOptimizer(params: readonly Parameter[], cfg: OptimizerConfig): Optimizer {
  try {
    switch (cfg.optimizer) {
      case 'sgd':
        return new SGD(params, { lr: cfg.lr, momentum: cfg.momentum ?? 0, nesterov: cfg.nesterov ?? false, weightDecay: cfg.weightDecay ?? 0 });
      case 'adam':
        return new Adam(params, { lr: cfg.lr, beta1: cfg.beta1, beta2: cfg.beta2, weightDecay: cfg.weightDecay ?? 0 });
      case 'adamw':
        return new AdamW(params, { lr: cfg.lr, beta1: cfg.beta1, beta2: cfg.beta2, weightDecay: cfg.weightDecay ?? 0.01 });
      default:
        throw new ConfigError(`unknown optimizer '${String(cfg.optimizer)}'; choose one of ${OPTIMIZER_NAMES.join(', ')}`);
    }
  } catch (e) {
    if (e instanceof RangeError) throw new ConfigError(e.message);
    throw e;
  }
}
