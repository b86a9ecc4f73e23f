// The data-free baselines: random scores and weight magnitude.
import { Rng } from '../../engine/rng.js';
import type { Pruner, Scores } from './types.js';

/** s ~ N(0, 1), from a stream per (seed, round, layer). */
export const randomPruner: Pruner = {
  name: 'random',
  defaultRounds: 1,
  score(ctx): Scores {
    const out: Scores = new Map();
    for (const [n, p] of ctx.model.prunableParameters())
      out.set(n, Rng.stream(ctx.seed, `prune-random/${ctx.round}/${n}`).fillNormal(new Float32Array(p.size)));
    return out;
  },
};

/** s = |θ|. */
export const magnitudePruner: Pruner = {
  name: 'magnitude',
  defaultRounds: 1,
  score(ctx): Scores {
    const out: Scores = new Map();
    for (const [n, p] of ctx.model.prunableParameters()) out.set(n, p.data.map(Math.abs));
    return out;
  },
};
