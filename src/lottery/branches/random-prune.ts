// The random-pruning control: the ticket's per-layer densities with random positions, from the ticket's own
// initialization. A ticket that beats it owes its advantage to which weights it keeps.
import { randomizeLayerwise } from '../../pruning/random.js';
import type { Branch } from './branch.js';

export const randomPrune: Branch = {
  name: 'random_prune',
  series: 'random pruning',
  description: 'masks shuffled within each layer (same per-layer densities), original initialization',
  masks: ({ masks, seed }) => randomizeLayerwise(masks, seed),
};
