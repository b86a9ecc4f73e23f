// Rules between fields (each field checks its own value): they hold for flags and stored files alike.
import { ConfigError } from '../util/errors.js';
import type { PruningHparams, TrainingHparams } from './groups.js';

export function validateTraining(t: TrainingHparams, prefix = ''): void {
  const f = (flag: string) => `--${prefix}${flag}`;
  if (t.nesterov && (t.optimizer !== 'sgd' || t.momentum === 0))
    throw new ConfigError(`${f('nesterov')} needs ${f('optimizer')} sgd and ${f('momentum')} > 0`);
  if (t.optimizer !== 'sgd' && t.momentum !== 0)
    throw new ConfigError(`${f('momentum')} applies to sgd only (optimizer is ${t.optimizer})`);
  if (t.cosine && t.milestones.length > 0)
    throw new ConfigError(`choose ${f('milestones')} or ${f('cosine')}, not both`);
}

export function validatePruning(p: PruningHparams): void {
  if (p.strategy === 'layerwise' && p.ignore.length)
    throw new ConfigError('--prune-ignore applies to --pruning-strategy global');
}
