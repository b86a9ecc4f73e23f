// Random pruning across layers: the ticket's total density with random positions anywhere (the weights a global
// strategy leaves out stay as they are), from the ticket's own initialization.
import { randomizeGlobal } from '../../pruning/random.js';
import type { Branch } from './branch.js';

export const randomPruneGlobal: Branch = {
  name: 'random_prune_global',
  series: 'random pruning (global)',
  description: 'masks shuffled across layers (same total density), original initialization',
  masks: ({ masks, seed, hparams }) =>
    randomizeGlobal(masks, seed, hparams.pruning.strategy === 'global' ? hparams.pruning.ignore : []),
};
