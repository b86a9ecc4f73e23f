// The SuperTickets study's settings (docs/results/supertickets.md): on MNIST, the supernet searched and pruned
// together (SuperTickets, with and without reactivation) against its two baselines (search then prune, prune then
// search) at several weight budgets, all with the same training and the same channel search; then the tickets of one
// budget transferred to Fashion-MNIST, beside the same architecture with fresh weights and a search run directly
// there. One seed is one of everything.
import { ConfigError } from '../../util/errors.js';
import type { Reactivation } from '../../supertickets/progressive.js';
import type { SearchOrder } from '../../supertickets/run.js';

export interface SuperTicketsStudySettings {
  /** Fractions of the prunable weights pruned at the end, one budget each. */
  budgets: number[];
  /** Epochs of every search, and examples drawn afresh for each (a short epoch: the study must fit this machine). */
  epochs: number;
  examples: number;
  l1: number;
  threshold: number;
  /** The budget whose tickets are transferred, and the epochs they train on Fashion-MNIST. */
  transferBudget: number;
  transferEpochs: number;
  seed: number;
}

export const SUPERTICKETS_STUDY_DEFAULTS: SuperTicketsStudySettings = {
  budgets: [0.5, 0.7, 0.9],
  epochs: 12,
  examples: 6400,
  l1: 1e-2,
  threshold: 1e-3,
  transferBudget: 0.7,
  transferEpochs: 6,
  seed: 0,
};

/**
 * The methods compared at every budget: the paper's (implicit reactivation), without reactivation, with the masks
 * reset after every step (the reference's reset_mask), and its two baselines.
 */
export const STUDY_METHODS = [
  { method: 'supertickets', order: 'joint', reactivation: 'implicit' },
  { method: 'no-reactivation', order: 'joint', reactivation: 'none' },
  { method: 'reset-masks', order: 'joint', reactivation: 'reset' },
  { method: 'search-then-prune', order: 'search-then-prune', reactivation: 'implicit' },
  { method: 'prune-then-search', order: 'prune-then-search', reactivation: 'implicit' },
] as const satisfies readonly { method: string; order: SearchOrder; reactivation: Reactivation }[];
export type StudyMethod = (typeof STUDY_METHODS)[number]['method'];
export const METHOD_NAMES = STUDY_METHODS.map((m) => m.method);

/** What a Fashion-MNIST run starts from: a method's MNIST ticket, its reinit control, or a search of its own. */
export const TRANSFER_KINDS = [
  'supertickets',
  'search-then-prune',
  'prune-then-search',
  'supertickets-reinit',
  'direct-search',
] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

export function validateSuperTicketsStudy(s: SuperTicketsStudySettings): void {
  if (s.budgets.length === 0) throw new ConfigError('--budgets needs at least one target ratio');
  for (const b of s.budgets) if (!(b >= 0 && b < 1)) throw new ConfigError(`every budget must lie in [0, 1), got ${b}`);
  if (!s.budgets.includes(s.transferBudget))
    throw new ConfigError(`--transfer-budget ${s.transferBudget} is not one of --budgets ${s.budgets.join(',')}`);
}
