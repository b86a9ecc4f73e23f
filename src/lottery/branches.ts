// Branches reuse a finished trunk level and train a control or a variant of it (OpenLTH's branches):
//   random_reinit        same mask, fresh initialization (the paper's random-reinitialization control)
//   random_prune         masks shuffled within each layer (same per-layer densities), original init
//   random_prune_global  masks shuffled across layers (same total density), original init
//   retrain              same mask and init, other training hyperparameters
import { hashString } from '../engine/rng.js';
import { ConfigError } from '../util/errors.js';

export const BRANCH_NAMES = ['random_reinit', 'random_prune', 'random_prune_global', 'retrain'] as const;
export type BranchName = (typeof BRANCH_NAMES)[number];

export function parseBranches(text: string): BranchName[] {
  if (text.trim() === '' || text === 'none') return [];
  const names = text.split(',').map((s) => s.trim());
  for (const n of names)
    if (!(BRANCH_NAMES as readonly string[]).includes(n)) throw new ConfigError(`unknown branch '${n}'; choose from ${BRANCH_NAMES.join(', ')}`);
  return [...new Set(names)] as BranchName[];
}

/** A seed for a branch's randomness at a level, independent of the trunk's streams. */
export function branchSeed(seed: number, branch: string, level: number): number {
  return hashString(`${seed}/${branch}/${level}`) & 0x7fffffff;
}
