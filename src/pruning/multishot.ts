// Multishot pruning as in Plant 'n' Seek (Fischer & Burkholz 2022), IMP-like: for r = 1..R, train the masked network
// (caller's callback), prune to density ρ^(r/R) by the pruner's scores of the trained weights, then reset the
// survivors to their initial values. The callback builds a fresh optimizer each round, which resets it.
import type { Module } from '../nn/module.js';
import { ConfigError } from '../util/errors.js';
import { applyMasks, cloneMasks, totalDensity, type Masks } from './masks.js';
import { pruneAtInit, type Scope } from './at-init.js';
import { checkDensity } from './masks.js';
import { snapshotModel } from '../nn/snapshot.js';
import { resolvePruner, startMasks, type Pruner, type PruneContext, type PrunerName } from './scorers/index.js';

export interface MultishotOptions {
  /** Train–prune–reset rounds (default 10). */
  rounds?: number;
  /**
   * Trains the model in place with `masks` attached (pruned weights zero), e.g. 5 epochs with a new optimizer.
   * The model is in train mode when called; `round` counts from 1.
   */
  train: (model: Module, masks: Masks, round: number) => Promise<void> | void;
  scope?: Scope;
  /** Scoring rounds of each pruning step (default: the pruner's, e.g. SynFlow's 100). */
  pruneRounds?: number;
  /** Called after each round's pruning with the density reached. */
  onRound?: (round: number, density: number, masks: Masks) => void;
}

/**
 * Masks at `density` after R rounds. On return the model holds its initial weights and the masks it came with,
 * as pruneAtInit leaves it; attach the result with applyMasks.
 */
export async function multishot(
  pruner: PrunerName | Pruner,
  ctx: PruneContext,
  density: number,
  opts: MultishotOptions,
): Promise<Masks> {
  checkDensity(density);
  const p = resolvePruner(pruner);
  const rounds = opts.rounds ?? 10;
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new ConfigError(`multishot rounds must be a positive integer, got ${rounds}`);
  if (typeof opts.train !== 'function') throw new ConfigError('multishot needs a train callback');
  const { model } = ctx;
  let masks = startMasks(ctx);
  const initial = model.stateDict();
  const restore = snapshotModel(model);
  try {
    for (let r = 1; r <= rounds; r++) {
      model.loadStateDict(initial);
      const attached = cloneMasks(masks);
      applyMasks(model, attached);
      model.train();
      await opts.train(model, attached, r);
      const target = r === rounds ? density : density ** (r / rounds);
      masks = pruneAtInit(p, { ...ctx, masks }, target, { scope: opts.scope, rounds: opts.pruneRounds });
      opts.onRound?.(r, totalDensity(masks), masks);
    }
  } finally {
    restore();
  }
  return masks;
}
