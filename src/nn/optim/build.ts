// Optimizers by name, built from the training hyperparameters they read.
import type { Parameter } from '../parameter.js';
import { ConfigError } from '../../util/errors.js';
import type { Optimizer } from './optimizer.js';
import { SGD } from './sgd.js';
import { Adam, AdamW } from './adam.js';

export interface OptimizerConfig {
  optimizer: OptimizerName;
  lr: number;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
}

const OPTIMIZERS = {
  sgd: (params: readonly Parameter[], c: OptimizerConfig) =>
    new SGD(params, {
      lr: c.lr,
      momentum: c.momentum ?? 0,
      nesterov: c.nesterov ?? false,
      weightDecay: c.weightDecay ?? 0,
    }),
  adam: (params: readonly Parameter[], c: OptimizerConfig) =>
    new Adam(params, { lr: c.lr, beta1: c.beta1, beta2: c.beta2, weightDecay: c.weightDecay ?? 0 }),
  adamw: (params: readonly Parameter[], c: OptimizerConfig) =>
    new AdamW(params, { lr: c.lr, beta1: c.beta1, beta2: c.beta2, weightDecay: c.weightDecay ?? 0.01 }),
} as const;

export type OptimizerName = keyof typeof OPTIMIZERS;
export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS) as OptimizerName[];

export function buildOptimizer(params: readonly Parameter[], cfg: OptimizerConfig): Optimizer {
  const make = OPTIMIZERS[cfg.optimizer] as ((p: readonly Parameter[], c: OptimizerConfig) => Optimizer) | undefined;
  if (!make)
    throw new ConfigError(`unknown optimizer '${String(cfg.optimizer)}'; choose one of ${OPTIMIZER_NAMES.join(', ')}`);
  try {
    return make(params, cfg);
  } catch (e) {
    if (e instanceof RangeError) throw new ConfigError(e.message);
    throw e;
  }
}
