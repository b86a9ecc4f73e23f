// Pruning-at-initialization scorers by name, and scoring a model under given masks.
import type { Masks } from '../masks.js';
import { ConfigError } from '../../util/errors.js';
import { magnitudePruner, randomPruner } from './basic.js';
import { snipPruner } from './snip.js';
import { graspPruner, type GraspOptions } from './grasp.js';
import { synflowPruner } from './synflow.js';
import type { Pruner, PruneContext, Scores } from './types.js';
import { applyAndScore, startMasks } from './score.js';

export type { Pruner, PruneContext } from './types.js';
export type { GraspOptions } from './grasp.js';
export { startMasks } from './score.js';

export const PRUNER_NAMES = ['random', 'magnitude', 'snip', 'grasp', 'synflow'] as const;
export type PrunerName = (typeof PRUNER_NAMES)[number];

export interface PrunerOptions {
  /** GraSP only. */
  grasp?: GraspOptions;
}

export function makePruner(name: PrunerName, opts: PrunerOptions = {}): Pruner {
  switch (name) {
    case 'random':
      return randomPruner;
    case 'magnitude':
      return magnitudePruner;
    case 'snip':
      return snipPruner;
    case 'grasp':
      return graspPruner(opts.grasp);
    case 'synflow':
      return synflowPruner;
    default:
      throw new ConfigError(`unknown pruner '${String(name)}'; choose one of ${PRUNER_NAMES.join(', ')}`);
  }
}

/** A Pruner object as given, or the named one with default options. */
export function resolvePruner(p: PrunerName | Pruner): Pruner {
  return typeof p === 'string' ? makePruner(p) : p;
}

/**
 * Scores of every prunable weight with `masks` (default: the context's start masks) applied; pruned weights
 * score −∞. The model is left as it was.
 */
export function scoreWeights(pruner: PrunerName | Pruner, ctx: PruneContext, masks?: Masks): Scores {
  return applyAndScore(resolvePruner(pruner), ctx, masks ?? startMasks(ctx), 1);
}
