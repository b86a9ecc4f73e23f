// A branch reuses a finished trunk level and trains a control or a variant of it (OpenLTH's branches). Each branch
// is one small file; registry.ts lists them.
import type { Masks } from '../../pruning/masks.js';
import type { LotteryHparams } from '../../hparams/groups.js';

export interface BranchMaskContext {
  /** The trunk level's mask. */
  masks: Masks;
  hparams: LotteryHparams;
  /** Seed of this branch at this level (independent of the trunk's streams). */
  seed: number;
}

export interface Branch {
  name: string;
  /** Name of its series in plots and tables. */
  series: string;
  /** One line for --help. */
  description: string;
  /** Trains from a fresh initialization at step 0 instead of the trunk's θ0 or rewind point. */
  freshInit?: boolean;
  /** Trains with its own training hyperparameters (the `--retrain-*` flags). */
  ownTraining?: boolean;
  /** The branch's mask (default: the trunk's). */
  masks?(ctx: BranchMaskContext): Masks;
}
