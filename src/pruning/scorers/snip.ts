// SNIP (Lee et al. 2019): connection sensitivity |∂L/∂m| = |g ⊙ θ| on one batch, normalized to sum 1
// (as the reference implementation does; the ranking does not depend on it).
import { normalize, prunableGradients, requireLoss, total } from './grad.js';
import type { Pruner, Scores } from './types.js';

export const snipPruner: Pruner = {
  name: 'snip',
  defaultRounds: 1,
  score(ctx): Scores {
    const loss = requireLoss(ctx, 'snip');
    const grads = prunableGradients(ctx.model, () => loss(ctx.model));
    const out: Scores = new Map();
    for (const [n, p] of ctx.model.prunableParameters()) {
      const g = grads.get(n)!;
      const s = new Float32Array(p.size);
      for (let i = 0; i < s.length; i++) s[i] = Math.abs(g[i]! * p.data[i]!);
      out.set(n, s);
    }
    normalize(out, total(out));
    return out;
  },
};
